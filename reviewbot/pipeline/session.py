"""One set-up for every command that talks to the model: the client, the progress shown
while it works, and the secrets neither may show."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from reviewbot.config import Settings
from reviewbot.llm.client import ClientConfig, ModelClient
from reviewbot.llm.connect import open_client
from reviewbot.pipeline.run import Execution
from reviewbot.progress import Progress


@dataclass(frozen=True)
class ModelSession:
    client: ModelClient
    progress: Progress
    secrets: tuple[str, ...]  # the API key and any other the caller named

    def execution(self, run_dir: Path, transcript_path: Path | None = None) -> Execution:
        """How one review runs in this session, saving under ``run_dir``."""
        return Execution(
            client=self.client,
            run_dir=run_dir,
            secrets=self.secrets,
            on_event=self.progress,
            transcript_path=transcript_path,
        )


@contextmanager
def model_session(
    settings: Settings,
    console: Console,
    *,
    live: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    secrets: tuple[str, ...] = (),
) -> Iterator[ModelSession]:
    """The model client for ``settings`` and progress on ``console``, closed on exit."""
    config = ClientConfig.from_settings(settings)
    known = tuple(s for s in (config.api_key, *secrets) if s)
    progress = Progress.for_run(
        console, settings, live=live, quiet=quiet, verbose=verbose, secrets=known
    )
    with open_client(config) as client, progress:
        yield ModelSession(client, progress, known)
