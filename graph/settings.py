"""Settings of the graph layer: which store holds the graph and how it is written."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class GraphSettings(BaseModel):
    """Where the knowledge graph lives.

    Attributes:
        backend: `sqlite` keeps the graph in the store directory with no server; `neo4j`
            writes it to the Neo4j server that `Neo4jSettings` describe.
        batch_size: documents written per transaction.
        community_resolution: Leiden resolution; higher gives more, smaller communities.
        community_min_size: fewest entities a community needs to get a report.
        lock_wait: seconds a write waits for another process's write to the same store to
            finish before it is refused.
    """

    model_config = ConfigDict(extra="forbid")

    backend: Literal["sqlite", "neo4j"] = "sqlite"
    batch_size: int = Field(default=64, ge=1)
    community_resolution: float = Field(default=1.0, gt=0)
    community_min_size: int = Field(default=3, ge=2)
    lock_wait: float = Field(default=300.0, ge=0)


class Neo4jSettings(BaseModel):
    """How to reach a Neo4j 5 server (environment: `GROUNDGRAPH_NEO4J_URI`, ...).

    Attributes:
        uri: Bolt or Neo4j URI (`bolt://host:7687`, `neo4j+s://xxxx.databases.neo4j.io`).
        user: user name.
        password: the password; from the environment or a secrets manager, never a file in
            the repository.
        database: database name; Community edition has only `neo4j`.
        batch_size: rows per `UNWIND` statement.
        connection_timeout: seconds to wait for the server before giving up.
    """

    model_config = ConfigDict(extra="forbid")

    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: SecretStr = SecretStr("")
    database: str = "neo4j"
    batch_size: int = Field(default=1000, ge=1)
    connection_timeout: float = Field(default=15.0, gt=0)
