"""What every local server shares: `with` starts it and stops it, whatever the block does.

Tests, the demo and the benches hold a server for one block; stopping it on
the way out, on an exception too, is what keeps ports, threads and data dirs
from outliving the block.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar


class LocalServer(ABC):
    """A server started by `start` (or entering `with`) and stopped by `stop` (or leaving it)."""

    @abstractmethod
    def start(self) -> Self:
        """Start serving and return once the server answers."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving and release what the server holds; safe to call more than once."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _ThreadedServer(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


ServerT = TypeVar("ServerT", bound=_ThreadedServer)


class EmbeddedServer(LocalServer, Generic[ServerT]):
    """A library's own server on a thread of this process (moto's, gcp-storage-emulator's), made anew by each start."""

    def __init__(self) -> None:
        self._server: ServerT | None = None

    @abstractmethod
    def _make(self) -> ServerT:
        """A new, not yet started server of the library."""

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("the server is already running")
        server = self._make()
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def _running(self) -> ServerT:
        """The library's server; raises when it is not running, where nothing could answer at its address."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        return self._server
