"""One unit's session: prompt order, line numbers, the budget held by cutting the least
risky files to excerpts around their risky lines, and comments only on the unit's files."""

from __future__ import annotations

from collections.abc import Callable

from reviewbot.audit.plan import plan_audit
from reviewbot.audit.session import prepare_unit
from reviewbot.config import load_settings
from reviewbot.pack.tokens import TokenCounter
from reviewbot.repo import RepoView
from reviewbot.review.anchor import check_anchor
from tests.helpers.gitrepo import GitRepo

FILLER = "".join(f"def helper_{i}(value):\n    return value * {i}\n\n\n" for i in range(400))
RISKY = "import pickle\n\n\n" + FILLER + "def load(blob):\n    return pickle.loads(blob)\n"


def test_session_prompt_numbering_and_anchors(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.write("AGENTS.md", "Be careful with pickles.\n")
    repo.write("app/small.py", "def f(x):\n    return x\n")
    repo.write("app/big.py", RISKY)
    repo.write("other/z.py", "Z = 1\n")
    repo.commit("initial")
    settings = load_settings(root=repo.path, env={}, flags={"budget": 6000})
    counter = TokenCounter()
    with RepoView(repo.path, "HEAD") as view:
        assert view.ref is not None
        audit = plan_audit(view, settings, head=view.ref, repository="octo/app", counter=counter)
        unit = next(u for u in audit.units if "app/big.py" in u.paths)
        assert unit.oversized
        session = prepare_unit(audit, unit, view, settings, counter)

    system, context, task = (m["content"] for m in session.plan.messages)
    assert "You are reviewbot" in system
    assert context.startswith("# Repository context\n\n## Repository guidance")
    assert "Be careful with pickles." in context
    risky_line = RISKY.count("\n")
    assert f"\n{risky_line}\t    return pickle.loads(blob)\n" in context  # the risky part kept
    assert "⋮ lines" in context and "\n1\timport pickle\n" in context
    assert session.excerpts == ("app/big.py",)
    assert "only excerpts shown, read the rest with read_file" in task
    assert "## Your task\nAudit this part of the repository: app (part 1/2) (unit 1 of" in task
    assert session.plan.prompt_tokens <= settings.pack_budget + 16

    lines = session.lines
    assert check_anchor(lines, "app/big.py", 1, None, "RIGHT").ok
    assert check_anchor(lines, "app/big.py", risky_line - 1, risky_line, "RIGHT").ok
    assert not check_anchor(lines, "app/big.py", risky_line + 1, None, "RIGHT").ok
    assert not check_anchor(lines, "app/small.py", 1, None, "RIGHT").ok  # another unit's file
    assert not check_anchor(lines, "app/big.py", 1, None, "LEFT").ok  # no old side in audits
    assert session.code_at("app/big.py", risky_line, risky_line, "RIGHT") == (
        "    return pickle.loads(blob)"
    )


def test_whole_files_when_they_fit(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.write("app/a.py", "import os\n\n\ndef run(c):\n    os.system(c)\n")
    repo.write("app/b.py", "X = 1\n")
    repo.commit("initial")
    settings = load_settings(root=repo.path, env={}, flags={})
    counter = TokenCounter()
    with RepoView(repo.path, "HEAD") as view:
        assert view.ref is not None
        audit = plan_audit(view, settings, head=view.ref, repository="octo/app", counter=counter)
        (unit,) = audit.units
        session = prepare_unit(audit, unit, view, settings, counter)
    context = session.plan.messages[1]["content"]
    assert session.excerpts == () and session.listed == ()
    assert context.index("### app/b.py") < context.index("### app/a.py")  # riskiest last
    assert "1\timport os\n2\t\n3\t\n4\tdef run(c):\n5\t    os.system(c)\n" in context
    assert session.lines.line_counts == {"app/a.py": 5, "app/b.py": 1}
    included = [e.path for e in session.plan.pack.entries if e.included]
    assert included == ["app/a.py", "app/b.py"]
