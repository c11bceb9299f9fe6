"""Settings of `groundgraph serve` and `groundgraph mcp` (`GROUNDGRAPH_SERVE_*`)."""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from groundgraph.serve.scopes import Access

# A token anyone could guess in a few tries protects nothing.
MIN_TOKEN_CHARS = 16


class ServeSettings(BaseModel):
    """Where the server listens, who may call it, and how much one request may ask.

    Attributes:
        host, port: the address to bind; anything but a loopback address needs `token`.
        token: the bearer token every request must carry (`GROUNDGRAPH_SERVE_TOKEN`), 16
            characters or more; unset, only loopback addresses may be bound. An empty token
            is an error, never "no authentication". It may read and write.
        read_tokens: more bearer tokens, each of which may only read (ask, retrieve, browse):
            give these to clients that never write, so none holds the write token. Setting
            them requires a token on every request, as `token` does.
        allowed_hosts: host names clients address the server by (the `Host` header, without
            port), besides the loopback names every server accepts; a request naming any
            other is refused (DNS rebinding). Required off loopback.
        cors_origins: web origins (`https://app.example`) whose pages may call the server
            from a browser, writes included; empty, none may (CORS off).
        read_only: refuse every write (ingest, refresh, delete, feedback).
        source_roots: folders whose files `POST /ingest` may read by path; empty, only
            uploads can be ingested. Nothing outside them is read, symlinks included.
        max_question_chars, max_k: the largest question and retrieval depth accepted.
        max_upload_bytes: the largest uploaded file; `max_request_bytes` the largest body.
        write_wait: seconds a write waits for a write already running before it is refused
            with 409; 0 refuses at once.
        batch_window_ms: how long the embedder waits for concurrent questions to share a
            forward pass; 0 turns batching off.
        max_batch: texts per shared forward pass.
        stream_drafts: a streamed chat reply sends a language model's draft token by token
            as it is written, then what verification found (the answer the documents
            support, when that differs); false sends only the verified answer, once it is
            verified, sentence by sentence. An extractive answer is always sent whole
            sentences at a time.
        preload: load the models an answer needs when the server starts, before `/health`
            reports ready, so the first answer is as fast as the tenth.
    """

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    token: SecretStr | None = None
    read_tokens: list[SecretStr] = Field(default_factory=list)
    allowed_hosts: list[str] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)
    read_only: bool = False
    source_roots: list[Path] = Field(default_factory=list)
    max_question_chars: int = Field(default=2000, ge=1)
    max_k: int = Field(default=50, ge=1)
    max_upload_bytes: int = Field(default=50_000_000, ge=1)
    max_request_bytes: int = Field(default=60_000_000, ge=1)
    write_wait: float = Field(default=0.0, ge=0)
    batch_window_ms: float = Field(default=5.0, ge=0)
    max_batch: int = Field(default=64, ge=1)
    stream_drafts: bool = True
    preload: bool = True

    @field_validator("token")
    @classmethod
    def _token_is_a_secret(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None:
            _check_secret(token)
        return token

    @field_validator("read_tokens")
    @classmethod
    def _read_tokens_are_secrets(cls, tokens: list[SecretStr]) -> list[SecretStr]:
        for token in tokens:
            _check_secret(token)
        return tokens

    @model_validator(mode="after")
    def _scopes_do_not_overlap(self) -> "ServeSettings":
        if self.token is not None and self.token in self.read_tokens:
            raise ValueError("serve.read_tokens holds the write token: give readers another")
        return self

    def bearer_tokens(self) -> dict[str, Access]:
        """Every accepted token and what it may do."""
        tokens: dict[str, Access] = {t.get_secret_value(): "read" for t in self.read_tokens}
        if self.token is not None:
            tokens[self.token.get_secret_value()] = "write"
        return tokens


def _check_secret(token: SecretStr) -> None:
    if len(token.get_secret_value().strip()) < MIN_TOKEN_CHARS:
        raise ValueError(
            f"a token must have at least {MIN_TOKEN_CHARS} characters (an empty one "
            "would let every request in); unset it to serve on loopback only"
        )
