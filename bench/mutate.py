"""`make mutate`: mutmut over the modules whose rules must be exact, one module at a time.

Each module runs in its own scratch directory under .mutate/ (mutmut keeps its state in
./mutants), against only the fast tests that exercise it, and prints one line:
`mutation score MODULE: K/N killed (P%)`. Survivors judged equivalent are listed, with
the reason, in bench/README.md. Usage: python bench/mutate.py [MODULE ...], where MODULE
may be `path.py:function[,function]` to mutate some functions of a larger file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / ".mutate"
UNIT = "tests/unit"
# Modules whose rules live in SQL need PostgreSQL tests (slower: a database per mutant run).
INTEGRATION = "tests/integration"

# Module (under include/council_social) -> the tests that exercise it, unit tests where they do.
MODULES: dict[str, list[str]] = {
    "working_calendar.py": [f"{UNIT}/test_boundaries.py", f"{UNIT}/test_cases_calendar.py",
                            f"{UNIT}/test_working_calendar.py",
                            f"{UNIT}/test_working_calendar_edges.py"],
    "triage/decision.py": [f"{UNIT}/test_boundaries.py", f"{UNIT}/test_triage_decision.py",
                           f"{UNIT}/test_triage_decision_details.py"],
    "cases/routing.py": [f"{UNIT}/test_cases_notify_foi.py", f"{UNIT}/test_cases_routing.py"],
    # Its queries are cases/repo/lifecycle.py's; the unit tests put an in-memory store behind them
    # (tests/integration/test_cases_*.py run the same paths on PostgreSQL).
    "cases/watch.py": [f"{UNIT}/test_cases_watch_rules.py"],
    # The checks run on manifest rows and files, so unit tests reach them all.
    "archive/verify.py": [f"{UNIT}/test_archive_verify_rules.py", f"{UNIT}/test_archive_writer.py"],
    # Its queries are archive/repo.py's; the unit tests put an in-memory manifest behind them.
    "archive/manifest.py": [f"{UNIT}/test_archive_manifest_rules.py",
                            f"{UNIT}/test_archive_days.py"],
    # The pipeline's accounting (records read = stored + duplicates + quarantined).
    "batches.py": [f"{UNIT}/test_batches.py", f"{UNIT}/test_validation.py"],
    # The pipeline's version numbering: one function of the items store, named after the colon
    # (the rest of the file is COPY plumbing, exercised elsewhere).
    "store/items_repo.py:merge_staged_items": [f"{INTEGRATION}/test_item_versions.py"],
    # The case clocks' overdue and escalation steps alone.
    "cases/watch.py:mark_overdue": [f"{UNIT}/test_cases_watch_rules.py"],
    # The FoI clock's reminders (the rest of foi.py is the register and the acknowledgement).
    "cases/foi.py:reminder_times,send_reminders": [f"{UNIT}/test_cases_watch_rules.py",
                                                  f"{UNIT}/test_cases_notify_foi.py"],
    # The archive's day rule alone.
    "archive/manifest.py:day_bounds,days_ending_in": [f"{UNIT}/test_archive_days.py"],
}
STATUS = re.compile(r"^\s+(\S+): (.+)$")
# Modules whose string literals are SQL with no quoted names or values: PostgreSQL folds unquoted
# keywords and names, so a mutant that only changes such a string's letter case is equivalent.
# Each is checked (the diff differs only in case, no quote inside) and counted apart, not killed.
SQL_TEXT = {"store/items_repo.py:merge_staged_items"}


def workdir(module: str) -> Path:
    return WORK / module.replace(".py", "").replace("/", "__").replace(":", "__")


def scratch(module: str, tests: list[str], work: Path) -> Path:
    """A directory where `src` is include/ (mutmut puts mutants/src first on sys.path) and the
    tests find ../shared as they do from the repo."""
    work.mkdir(parents=True, exist_ok=True)
    for name, target in (("src", REPO / "include"), ("tests", REPO / "tests"),
                         ("dags", REPO / "dags"), ("shared", REPO.parent / "shared")):
        link = work / name
        if not link.is_symlink():
            link.symlink_to(target)
    mutants = work / "mutants"
    if not (mutants / "shared").is_symlink():
        mutants.mkdir(exist_ok=True)
        (mutants / "shared").symlink_to(REPO.parent / "shared")
    pytest_options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]
    options = dict(pytest_options["ini_options"])
    lines = ["[tool.pytest.ini_options]"]
    lines += [f"{k} = {_toml(v)}" for k, v in options.items() if k != "testpaths"]
    lines += [
        "[tool.mutmut]",
        'source_paths = ["src/council_social"]',
        f'only_mutate = ["src/council_social/{module}"]',
        f"pytest_add_cli_args_test_selection = {_toml(tests)}",
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]',
        'also_copy = ["src/config"]',
    ]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return work


def _toml(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def mutate(module: str, tests: list[str], children: int) -> tuple[int, int, list[str]]:
    path, _, function = module.partition(":")
    work = scratch(path, tests, workdir(module))
    mutmut = [str(Path(sys.executable).with_name("mutmut"))]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    # mutmut names mutants package.module.x_function__mutmut_N (methods: xǁClassǁmethod__...).
    dotted = path.removesuffix(".py").replace("/", ".")
    only = [f"council_social.{dotted}.x_{f}__mutmut_*" for f in function.split(",") if f]
    subprocess.run(mutmut + ["run", "--max-children", str(children), *only], cwd=work, env=env,
                   stdout=subprocess.DEVNULL, check=False)
    listing = subprocess.run(mutmut + ["results", "--all", "true"], cwd=work, env=env,
                             capture_output=True, text=True, check=True).stdout
    statuses = [m.groups() for line in listing.splitlines() if (m := STATUS.match(line))]
    if only:
        statuses = [(name, status) for name, status in statuses
                    if any(fnmatch(name, pattern) for pattern in only)]
    cased = {name for name, status in statuses
             if status == "survived" and module in SQL_TEXT and _case_only(mutmut, work, env, name)}
    killed = sum(1 for _, status in statuses if status == "killed")
    survivors = [f"{name}: {status}" for name, status in statuses
                 if status != "killed" and name not in cased]
    return killed, len(statuses) - len(cased), survivors, len(cased)


def _case_only(mutmut: list[str], work: Path, env: dict, name: str) -> bool:
    diff = subprocess.run(mutmut + ["show", name], cwd=work, env=env, capture_output=True,
                          text=True, check=True).stdout.splitlines()
    removed = [line[1:].strip() for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff if line.startswith("+") and not line.startswith("+++")]
    return (len(removed) == len(added) == 1 and removed != added
            and removed[0].lower() == added[0].lower()
            and "'" not in removed[0] and removed[0].count('"') == 2)


def main(argv: list[str]) -> int:
    children = int(os.environ.get("MUTATE_CHILDREN", "2"))
    chosen = argv or list(MODULES)
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        print(f"unknown module(s): {', '.join(unknown)}; choose from {', '.join(MODULES)}",
              file=sys.stderr)
        return 2
    for module in chosen:
        if os.environ.get("MUTATE_FRESH"):
            shutil.rmtree(workdir(module), ignore_errors=True)
        killed, total, survivors, cased = mutate(module, MODULES[module], children)
        score = 100 * killed / total if total else 0.0
        print(f"mutation score {module}: {killed}/{total} killed ({score:.0f}%)", flush=True)
        if cased:
            print(f"  ({cased} more only change the letter case of SQL: equivalent, not counted)",
                  flush=True)
        for survivor in survivors:
            print(f"  {survivor}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
