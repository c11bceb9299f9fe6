"""The OpenAI-compatible endpoint with the `openai` package, and the MCP server with the `mcp`
SDK's client over streamable HTTP and over stdio."""

import asyncio
import json
import sys
from pathlib import Path

import httpx
import openai
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client

from groundgraph.retrieval.answering.prompts import GROUNDED_SYSTEM_PROMPT
from tests.chat_server import ChatServer, answer_citing

QUESTION = "Who discovered polonium?"


def test_the_openai_package_gets_a_cited_answer(server) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused")
    assert [m.id for m in client.models.list()] == ["groundgraph"]
    messages = [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": QUESTION},
    ]
    reply = client.chat.completions.create(model="groundgraph", messages=messages)
    content = reply.choices[0].message.content
    assert "Curie" in content and "Sources:\n[1] file://" in content
    citations = reply.model_extra["citations"]
    assert citations and all(c["end"] > c["start"] for c in citations)
    streamed = client.chat.completions.create(model="groundgraph", messages=messages, stream=True)
    pieces = [c.choices[0].delta.content or "" for c in streamed]
    assert len(pieces) > 3 and "".join(pieces) == content


def test_the_openai_package_sees_errors(server) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.NotFoundError, match="model 'gpt-4' does not exist"):
        client.chat.completions.create(
            model="gpt-4", messages=[{"role": "user", "content": QUESTION}]
        )
    with pytest.raises(openai.BadRequestError, match="no user message"):
        client.chat.completions.create(
            model="groundgraph", messages=[{"role": "system", "content": "hello"}]
        )


def test_the_openai_package_streams_a_models_draft_and_passes_on_its_options(
    start_server, chat_server: ChatServer
) -> None:
    chat_server.answer = answer_citing("discovered polonium")
    openai_backend = {"base_url": chat_server.url, "model": "m", "retry_backoff": 0}
    server = start_server(settings={"generator": "openai", "openai": openai_backend})
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused")
    messages = [
        {"role": "system", "content": "Answer as a pirate."},
        {"role": "user", "content": QUESTION},
    ]
    streamed = client.chat.completions.create(
        model="groundgraph",
        messages=messages,
        stream=True,
        max_tokens=40,
        temperature=0.3,
        stop=["Sources"],
        stream_options={"include_usage": True},
    )
    chunks = list(streamed)
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    reply = "".join(texts)
    # the fake model streams word by word: the reply arrives in pieces before the end
    assert len(texts) >= 5 and reply.startswith("Marie") and "polonium" in reply
    assert "Sources" not in reply  # the client's stop string ends the reply
    finish = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finish[-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 5
    (body,) = chat_server.bodies()
    assert body["stream"] is True and body["max_tokens"] == 40 and body["temperature"] == 0.3
    assert body["stop"] == ["Sources"]
    system = body["messages"][0]["content"]
    assert system.startswith(GROUNDED_SYSTEM_PROMPT) and "Answer as a pirate." in system


def test_max_tokens_bounds_the_reply_and_usage_counts_it(server) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused")
    messages = [{"role": "user", "content": QUESTION}]
    whole = client.chat.completions.create(model="groundgraph", messages=messages)
    cut = client.chat.completions.create(model="groundgraph", messages=messages, max_tokens=4)
    assert whole.choices[0].finish_reason == "stop" and cut.choices[0].finish_reason == "length"
    text = cut.choices[0].message.content
    assert whole.choices[0].message.content.startswith(text)
    assert cut.usage.completion_tokens == 4 < whole.usage.completion_tokens
    assert cut.usage.total_tokens == cut.usage.prompt_tokens + 4


def test_earlier_turns_say_who_a_pronoun_is(server) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused")

    def follow_up(first: str, then: str) -> str:
        asked = [{"role": "user", "content": first}]
        said = client.chat.completions.create(model="groundgraph", messages=asked)
        answer = {"role": "assistant", "content": said.choices[0].message.content}
        turns = [*asked, answer, {"role": "user", "content": then}]
        reply = client.chat.completions.create(model="groundgraph", messages=turns)
        return reply.choices[0].message.content.split("Sources:")[0]

    assert "Warsaw" in follow_up(QUESTION, "Where was she born?")
    assert "Paris" in follow_up("Tell me about Pierre Curie.", "Where did he die?")


async def _use(client: Client) -> tuple[set[str], dict, dict]:
    async with client:
        tools = {t.name for t in (await client.list_tools()).tools}
        answer = await client.call_tool("ask", {"question": QUESTION})
        entities = await client.call_tool("search_entities", {"query": "Polonium"})
        assert not answer.is_error and not entities.is_error
        found = entities.structured_content["entities"][0]
        neighbours = await client.call_tool("entity_neighbours", {"entity_id": found["id"]})
        assert neighbours.structured_content["evidence"]
        return tools, answer.structured_content, found


def _check_answer(answer: dict) -> None:
    assert "Curie" in answer["answer"]
    for citation in answer["citations"]:
        assert citation["document"].startswith("file://")
        assert citation["end"] > citation["start"] >= 0 and citation["text"]


def test_mcp_over_streamable_http(server) -> None:
    tools, answer, found = asyncio.run(_use(Client(f"{server.url}/mcp")))
    expected = {"ask", "retrieve", "search_entities", "entity_neighbours", "stats"}
    assert tools == expected | {"ingest", "feedback"}
    _check_answer(answer)
    assert found["name"] == "Polonium"


def test_mcp_over_stdio_read_only(served_store: tuple[Path, Path]) -> None:
    store, _ = served_store
    command = Path(sys.executable).with_name("groundgraph")
    params = StdioServerParameters(
        command=str(command), args=["mcp", "--store", str(store), "--read-only"]
    )
    tools, answer, _ = asyncio.run(_use(Client(params)))
    assert tools == {"ask", "retrieve", "search_entities", "entity_neighbours", "stats"}
    _check_answer(answer)


def test_mcp_documents_are_resources(server) -> None:
    async def read() -> tuple[dict, dict]:
        async with Client(f"{server.url}/mcp") as client:
            listed = await client.read_resource("groundgraph://documents")
            first = json.loads(listed.contents[0].text)["documents"][0]
            one = await client.read_resource(f"groundgraph://documents/{first['id']}")
            return first, json.loads(one.contents[0].text)

    first, document = asyncio.run(read())
    assert httpx.get(f"{server.url}/documents/{first['id']}").json() == document


def test_mcp_tool_errors_carry_the_reason(server) -> None:
    async def fail() -> tuple[bool, str, bool, str]:
        async with Client(f"{server.url}/mcp") as client:
            missing = await client.call_tool("entity_neighbours", {"entity_id": "nope"})
            empty = await client.call_tool("ask", {"question": "  "})
            return (
                missing.is_error,
                missing.content[0].text,
                empty.is_error,
                empty.content[0].text,
            )

    missing_error, missing_text, empty_error, empty_text = asyncio.run(fail())
    assert missing_error and "no entity with id 'nope'" in missing_text
    assert "NotFoundError, HTTP 404" in missing_text
    assert empty_error and "the question is empty" in empty_text and "HTTP 400" in empty_text


def test_an_mcp_client_with_a_read_token_cannot_write(start_server) -> None:
    token, reader = "writer-token-of-24-chars", "reader-token-of-24-chars"
    server = start_server(token=token, read_tokens=[reader])

    async def call(bearer: str) -> tuple[bool, bool, str]:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {bearer}"})
        async with Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as c:
            asked = await c.call_tool("ask", {"question": QUESTION})
            wrote = await c.call_tool(
                "feedback", {"question": QUESTION, "answer": "x", "rating": "good"}
            )
            return asked.is_error, wrote.is_error, wrote.content[0].text

    ask_failed, write_failed, why = asyncio.run(call(reader))
    assert not ask_failed and write_failed and "serve.read_tokens" in why
    assert asyncio.run(call(token))[:2] == (False, False)
