"""The `openai` chat model: any server that speaks OpenAI's chat-completions protocol (vLLM,
Ollama, llama.cpp's server, hosted APIs).

Transient failures (no connection, a timeout, status 408/429/5xx) are retried a bounded number
of times with doubling pauses; once a reply has started streaming it is never retried, since
the caller has already seen part of it. Anything else (a wrong model name, a bad key) is an
error that names the server, the status and what the server said.
"""

import json
import time
from collections.abc import Callable, Iterator, Sequence

import httpx

from groundgraph.graph.errors import ConfigError
from groundgraph.retrieval.base import ModelUnavailableError, RetrievalError, TokenSink
from groundgraph.retrieval.settings import OpenAISettings

TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 30.0


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class OpenAIChat:
    """A `ChatModel` on an OpenAI-compatible `/chat/completions` endpoint.

    Args:
        settings: base URL, model, key, timeout and retries.
        temperature: 0 for greedy answers.
        sleep: waits between retries (tests pass a recorder).

    Example:
        chat = OpenAIChat(OpenAISettings(base_url="http://127.0.0.1:11434/v1", model="qwen2.5"))
        chat.complete([{"role": "user", "content": "Hello"}], max_tokens=20)
    """

    name = "openai"

    def __init__(
        self,
        settings: OpenAISettings,
        temperature: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.model:
            raise ConfigError(
                "generator 'openai' needs a model name: set GROUNDGRAPH_OPENAI_MODEL "
                "(e.g. the name vLLM serves or an Ollama tag)"
            )
        self.settings = settings
        self.temperature = temperature
        self.sleep = sleep
        self.url = settings.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if settings.api_key is not None:
            headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
        self._client = httpx.Client(headers=headers, timeout=settings.timeout)

    @property
    def description(self) -> str:
        """Which model answers, for the notes of an answer."""
        return f"openai model {self.settings.model} at {self.settings.base_url}"

    def complete(
        self,
        messages: list[dict[str, str]],
        max_tokens: int,
        stream: TokenSink | None = None,
        temperature: float | None = None,
        stop: Sequence[str] = (),
        citations: int = 0,
    ) -> str:
        body: dict = {
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.temperature if temperature is None else temperature,
            "stream": stream is not None,
        }
        if stop:
            body["stop"] = list(stop)
        attempts, attempt = self.settings.max_retries + 1, 0
        while True:
            attempt += 1
            started = [False]
            try:
                return self._request(body, stream, started)
            except _Transient as e:
                if started[0] or attempt == attempts:
                    raise ModelUnavailableError(
                        f"{self.url} failed after {attempt} attempt(s): {e}"
                    ) from e
                pause = self.settings.retry_backoff * 2 ** (attempt - 1)
                self.sleep(min(e.retry_after, MAX_RETRY_AFTER) if e.retry_after else pause)

    def close(self) -> None:
        self._client.close()

    def _request(self, body: dict, stream: TokenSink | None, started: list[bool]) -> str:
        try:
            with self._client.stream("POST", self.url, json=body) as response:
                self._check_status(response)
                if stream is None:
                    return _message_content(json.loads(response.read()), self.url)
                pieces = []
                for piece in _stream_pieces(response.iter_lines(), self.url):
                    started[0] = True
                    pieces.append(piece)
                    stream(piece)
                return "".join(pieces)
        except httpx.TimeoutException as e:
            raise _Transient(
                f"no reply within {self.settings.timeout:g} s ({type(e).__name__})"
            ) from e
        except httpx.TransportError as e:
            raise _Transient(f"cannot reach the server ({e})") from e
        except json.JSONDecodeError as e:
            raise RetrievalError(f"{self.url} sent a reply that is not JSON: {e}") from e

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        said = _error_message(response.read())
        if status in TRANSIENT_STATUSES:
            raise _Transient(f"status {status}: {said}", _retry_after(response))
        raise RetrievalError(
            f"{self.url} refused the request with status {status}: {said} (check "
            "GROUNDGRAPH_OPENAI_MODEL, GROUNDGRAPH_OPENAI_API_KEY and GROUNDGRAPH_OPENAI_BASE_URL)"
        )


def _stream_pieces(lines: Iterator[str], url: str) -> Iterator[str]:
    """Text deltas of a server-sent-events reply, up to `data: [DONE]`."""
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, comments and keep-alives
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        event = json.loads(data)
        if "error" in event:
            raise RetrievalError(f"{url} reported an error mid-stream: {event['error']}")
        for choice in event.get("choices", []):
            piece = (choice.get("delta") or {}).get("content")
            if piece:
                yield piece


def _message_content(reply: dict, url: str) -> str:
    try:
        return reply["choices"][0]["message"]["content"] or ""
    except (KeyError, IndexError, TypeError) as e:
        raise RetrievalError(f"{url} sent no choices[0].message.content: {reply!r:.200}") from e


def _error_message(body: bytes) -> str:
    try:
        error = json.loads(body).get("error")
    except (json.JSONDecodeError, AttributeError):
        return body.decode("utf-8", "replace")[:200] or "no message"
    if isinstance(error, dict):
        return str(error.get("message", error))
    return str(error)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
