"""What only the Neo4j store has: clear connection errors and the schema it creates."""

import pytest
from neo4j import GraphDatabase
from pydantic import SecretStr

from groundgraph.graph.base import StoreError
from groundgraph.graph.settings import Neo4jSettings
from groundgraph.graph.store_neo4j import Neo4jGraphStore
from tests.conftest import _free_port


def test_unreachable_server_is_one_clear_error() -> None:
    settings = Neo4jSettings(
        uri=f"bolt://127.0.0.1:{_free_port()}", password=SecretStr("x"), connection_timeout=2
    )
    with pytest.raises(StoreError, match=r"not reachable.*scripts/neo4j\.sh start"):
        Neo4jGraphStore(settings)


def test_wrong_password_is_one_clear_error(neo4j_server: Neo4jSettings) -> None:
    wrong = neo4j_server.model_copy(update={"password": SecretStr("not-the-password")})
    with pytest.raises(StoreError, match="refused user 'neo4j': wrong user or password"):
        Neo4jGraphStore(wrong)


def test_connecting_creates_constraints_and_full_text_indexes(neo4j_server: Neo4jSettings) -> None:
    Neo4jGraphStore(neo4j_server).close()
    auth = (neo4j_server.user, neo4j_server.password.get_secret_value())
    with GraphDatabase.driver(neo4j_server.uri, auth=auth) as driver:
        indexes, _, _ = driver.execute_query("SHOW INDEXES YIELD name, type RETURN name, type")
        constraints, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")
    kinds = {r["name"]: r["type"] for r in indexes}
    assert kinds["chunk_text"] == "FULLTEXT" and kinds["entity_names"] == "FULLTEXT"
    assert {"document_id", "chunk_id", "entity_id"} <= {r["name"] for r in constraints}
