"""Settings of the graph layer: which store holds the graph and how it is written."""

from typing import Literal

from pydantic import BaseModel, Field


class GraphSettings(BaseModel):
    """Where the knowledge graph lives.

    Attributes:
        backend: `sqlite` keeps the graph in the store directory, with no server.
        batch_size: documents written per transaction.
    """

    backend: Literal["sqlite"] = "sqlite"
    batch_size: int = Field(default=64, ge=1)
