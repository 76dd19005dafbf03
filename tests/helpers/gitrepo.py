"""Real temporary git repositories for tests, built with GitPython."""

from __future__ import annotations

import os
from pathlib import Path

import git


class GitRepo:
    """A real repository on disk with small helpers for writing and committing.

    >>> repo = GitRepo.create(tmp_path)
    >>> repo.write("a.py", "print(1)\\n"); repo.commit("first")
    """

    def __init__(self, path: Path, repo: git.Repo) -> None:
        self.path = path
        self.repo = repo

    @classmethod
    def create(cls, path: Path, *, branch: str = "main", bare: bool = False) -> GitRepo:
        path.mkdir(parents=True, exist_ok=True)
        repo = git.Repo.init(path, initial_branch=branch, bare=bare)
        with repo.config_writer() as cfg:
            cfg.set_value("user", "name", "Test Author")
            cfg.set_value("user", "email", "author@example.invalid")
            cfg.set_value("commit", "gpgsign", "false")
            cfg.set_value("core", "autocrlf", "false")
        return cls(path, repo)

    # Files ---------------------------------------------------------------------------
    def write(self, rel: str, content: str | bytes, *, mode: int | None = None) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_bytes(content.encode("utf-8"))
        else:
            target.write_bytes(content)
        if mode is not None:
            target.chmod(mode)
        return target

    def read(self, rel: str) -> bytes:
        return (self.path / rel).read_bytes()

    def delete(self, rel: str) -> None:
        self.repo.index.remove([rel], working_tree=True)

    def rename(self, old: str, new: str) -> None:
        (self.path / new).parent.mkdir(parents=True, exist_ok=True)
        self.repo.git.mv(old, new)

    def symlink(self, rel: str, target: str) -> None:
        link = self.path / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)

    def chmod(self, rel: str, mode: int) -> None:
        (self.path / rel).chmod(mode)

    # History -------------------------------------------------------------------------
    def commit(self, message: str = "change", *, all_files: bool = True) -> str:
        if all_files:
            self.repo.git.add("-A")
        self.repo.git.commit("-m", message, "--allow-empty", "--no-verify")
        return self.head()

    def head(self) -> str:
        return self.repo.head.commit.hexsha

    def branch(self, name: str, *, checkout: bool = True, start: str | None = None) -> None:
        args = ["-b", name] if checkout else []
        if checkout:
            self.repo.git.checkout(*args, *([start] if start else []))
        else:
            self.repo.git.branch(name, *([start] if start else []))

    def checkout(self, ref: str) -> None:
        self.repo.git.checkout(ref)

    def git(self, *args: str) -> str:
        return str(self.repo.git.execute(["git", *args]))
