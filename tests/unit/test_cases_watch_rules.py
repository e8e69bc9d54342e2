"""cases/watch.py's rules without a database: which case an item opens and when it is
backlog, what a council reply in the thread does, when a case goes overdue and to whom it
escalates, each step once. The watch's queries (cases/repo/lifecycle.py) are replaced by an
in-memory store with the same answers; tests/integration/test_cases_*.py run the same paths,
and the queries themselves, on PostgreSQL."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from council_social.cases import watch as case_watch
from council_social.cases.calendar import WorkingCalendar
from council_social.cases.repo import lifecycle
from council_social.cases.watch import (
    ACTOR,
    WatchResult,
    close,
    current_rules_version,
    mark_open_from,
    respond,
    stored_open_from,
    watch,
    watched_from,
)

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, GMT
STEP = timedelta(minutes=15)
HOUR = timedelta(hours=1)
ENVIRONMENT = "402918377"  # @BrentEnvironment, the waste-recycling team's account
MAIN = "154019375"         # @Brent_Council, the web team's
RESIDENT = "9001"


class Store:
    """The cases tables in memory, behind cases/repo/lifecycle.py's functions."""

    def __init__(self):
        self.calls: list[str] = []
        self.marks: dict[str, datetime] = {}
        self.marked_at: dict[str, datetime] = {}
        self.decisions: list[dict] = []
        self.decision_queries: list[dict] = []
        self.cases: dict[int, dict] = {}
        self.events: list[dict] = []
        self.replies: list[dict] = []
        self.reply_queries: list[tuple] = []
        self.transactions = 0

    def install(self, monkeypatch):
        for name in ("lock", "add_mark", "mark", "decisions_without_case", "add_case",
                     "thread_replies", "response_state", "set_responded", "set_closed",
                     "set_status", "late_cases", "once_keys", "add_event", "foi_awaiting"):
            monkeypatch.setattr(lifecycle, name, getattr(self, name))

    @contextlib.contextmanager
    def begin(self):
        self.transactions += 1
        yield self

    # --- the repo's functions
    def lock(self, conn):
        assert conn is self
        self.calls.append("lock")

    def add_mark(self, conn, name, at, recorded_at):
        assert conn is self
        self.calls.append("add_mark")
        self.marks.setdefault(name, at)
        self.marked_at.setdefault(name, recorded_at)

    def mark(self, conn, name):
        assert conn is self
        return self.marks.get(name)

    def decisions_without_case(self, conn, *, now, outcomes, flags, rules_version):
        assert conn is self
        self.calls.append("decisions")
        self.decision_queries.append({"now": now, "outcomes": outcomes, "flags": flags,
                                      "rules_version": rules_version})
        opened = {(c["platform"], c["external_id"]) for c in self.cases.values()}
        return [d for d in self.decisions
                if (d["platform"], d["external_id"]) not in opened and d["item_created_at"] <= now]

    def add_case(self, conn, values):
        assert conn is self
        if any((c["platform"], c["external_id"], c["kind"]) ==
               (values["platform"], values["external_id"], values["kind"])
               for c in self.cases.values()):
            return None
        case_id = len(self.cases) + 1
        self.cases[case_id] = {"id": case_id, "responded_at": None, "responded_by": None,
                               "response_channel": None, "closed_at": None, **values}
        return case_id

    def thread_replies(self, conn, author_ids, now):
        assert conn is self
        self.calls.append("replies")
        self.reply_queries.append((author_ids, now))
        return [r for r in self.replies
                if self.cases[r["id"]]["status"] != "closed" and r["created_at"] <= now]

    def response_state(self, conn, case_id):
        assert conn is self
        c = self.cases[case_id]
        return SimpleNamespace(status=c["status"], responded_at=c["responded_at"])

    def set_responded(self, conn, case_id, *, at, actor, channel, recorded_at):
        assert conn is self
        self.cases[case_id].update(status="responded", responded_at=at, responded_by=actor,
                                   response_channel=channel, updated_at=recorded_at)

    def set_closed(self, conn, case_id, *, at, recorded_at):
        assert conn is self
        self.cases[case_id].update(status="closed", closed_at=at, updated_at=recorded_at)

    def set_status(self, conn, case_id, status, now):
        assert conn is self
        self.cases[case_id].update(status=status, updated_at=now)

    def late_cases(self, conn, statuses, now):
        assert conn is self
        self.calls.append("late")
        return [SimpleNamespace(**{k: c[k] for k in ("id", "team", "status", "due_at",
                                                     "escalate_at")})
                for _, c in sorted(self.cases.items())
                if c["status"] in statuses and c["responded_at"] is None and c["due_at"] <= now]

    def once_keys(self, conn, case_ids):
        assert conn is self
        keys = {i: set() for i in case_ids}
        for e in self.events:
            if e["case_id"] in keys and e["once_key"] is not None:
                keys[e["case_id"]].add(e["once_key"])
        return keys

    def add_event(self, conn, values):
        assert conn is self
        if values["once_key"] is not None and any(
                (e["case_id"], e["once_key"]) == (values["case_id"], values["once_key"])
                for e in self.events):
            return False
        self.events.append(dict(values))
        return True

    def foi_awaiting(self, conn, now):
        assert conn is self
        self.calls.append("foi")
        return [SimpleNamespace(id=c["id"], team=c["team"], due_at=c["due_at"], status=c["status"])
                for _, c in sorted(self.cases.items())
                if c["kind"] == "foi" and c["responded_at"] is None and c["status"] != "closed"
                and c["due_at"] > now]

    # --- for the tests
    def events_of(self, case_id) -> list[dict]:
        return [e for e in self.events if e["case_id"] == case_id]

    def keys_of(self, case_id) -> list[str]:
        return [e["once_key"] for e in self.events_of(case_id)]


@pytest.fixture
def store(monkeypatch):
    s = Store()
    s.install(monkeypatch)
    s.marks[case_watch.OPEN_FROM_MARK] = T0 - HOUR
    return s


@pytest.fixture
def calendar(config):
    return WorkingCalendar.from_config(config)


def decision(n: str, received: datetime = T0, *, outcome: str = "customer_service", flags=None,
             department: str | None = "waste-recycling", rules_version: str = "2026.12-4",
             **more) -> dict:
    return {"platform": "twitter", "external_id": n, "rules_version": rules_version,
            "outcome": outcome, "flags": flags, "department": department, "topic": "bins",
            "foi_valid": None, "item_created_at": received, "author_external_id": RESIDENT,
            "conversation_id": f"c{n}", "url": f"https://x.com/r/status/{n}", **more}


def config_with(config, **cases):
    return config.model_copy(update={"cases": config.cases.model_copy(update=cases)})


def run(store, config, end: datetime) -> WatchResult:
    return watch(store, config, end - STEP, end)


# --- the result and the rules version ----------------------------------------------------


def test_the_result_adds_up_per_team_and_in_all():
    result = WatchResult(now=T0, decisions_seen=7)
    result.opened.update({"housing": 2, "parking": 1})
    result.backlog["housing"] += 1
    result.responded["parking"] += 1
    result.closed["parking"] += 1
    result.acknowledged["planning"] += 1
    result.overdue["housing"] += 3
    result.escalated["housing"] += 4
    result.reminders["planning"] += 2
    zero = dict.fromkeys(("opened", "backlog", "responded", "closed", "acknowledged", "overdue",
                          "escalated", "reminders"), 0)
    assert result.as_dict() == {
        "now": T0.isoformat(), "decisions_seen": 7,
        "opened": 3, "backlog": 1, "responded": 1, "closed": 1, "acknowledged": 1,
        "overdue": 3, "escalated": 4, "reminders": 2,
        "by_team": {
            "housing": {**zero, "opened": 2, "backlog": 1, "overdue": 3, "escalated": 4},
            "parking": {**zero, "opened": 1, "responded": 1, "closed": 1},
            "planning": {**zero, "acknowledged": 1, "reminders": 2},
        },
    }
    assert list(result.as_dict()["by_team"]) == ["housing", "parking", "planning"]
    assert WatchResult(now=T0).as_dict()["by_team"] == {}


def test_the_rules_version_in_force_comes_from_the_config():
    assert current_rules_version(SimpleNamespace(triage=SimpleNamespace(rules_version=7))) == "7"
    assert current_rules_version(SimpleNamespace(triage=SimpleNamespace(rules_version=""))) is None
    assert current_rules_version(SimpleNamespace(triage=SimpleNamespace(rules_version=None))) is None
    assert current_rules_version(SimpleNamespace(triage=SimpleNamespace())) is None
    assert current_rules_version(SimpleNamespace()) is None


# --- where the watch begins --------------------------------------------------------------


def test_the_first_run_marks_when_watching_began_and_later_runs_keep_it(monkeypatch, config):
    s = Store()
    s.install(monkeypatch)
    assert stored_open_from(s) is None
    assert mark_open_from(s, T0, T0 + STEP) == T0
    assert mark_open_from(s, T0 + HOUR, T0 + HOUR) == T0
    assert s.marks == {"cases_open_from": T0}
    run(s, config, T0 + 2 * HOUR)
    assert stored_open_from(s) == T0


def test_the_first_watch_run_stores_its_interval_start(monkeypatch, config):
    s = Store()
    s.install(monkeypatch)
    watch(s, config, T0 - STEP, T0)
    assert s.marks == {"cases_open_from": T0 - STEP}
    assert s.marked_at == {"cases_open_from": T0}


def test_live_cases_start_at_the_later_of_open_from_and_the_lookback(store, config):
    now = T0 + timedelta(days=30)
    lookback = timedelta(days=config.cases.open_lookback_days)
    assert watched_from(store, config, now) == now - lookback
    store.marks["cases_open_from"] = now - HOUR
    assert watched_from(store, config, now) == now - HOUR
    set_from = config_with(config, open_from=now - 2 * HOUR)
    assert watched_from(store, set_from, now) == now - 2 * HOUR
    store.marks.clear()
    assert watched_from(store, config, now) == now - lookback


def test_one_run_is_one_transaction_under_the_lock_with_the_steps_in_order(store, config):
    result = watch(store, config, T0 - STEP, T0)
    assert store.transactions == 1
    assert store.calls == ["lock", "add_mark", "decisions", "replies", "late", "foi"]
    assert result.now == T0


# --- opening -----------------------------------------------------------------------------


def test_a_promise_opens_one_case_owned_by_its_department(store, config, calendar):
    store.decisions = [decision("1", T0)]
    result = run(store, config, T0 + STEP)
    target = config.response_targets["customer_service"]
    lead = config.team("waste-recycling").lead_officer
    assert store.cases[1] == {
        "id": 1, "responded_at": None, "responded_by": None, "response_channel": None,
        "closed_at": None, "platform": "twitter", "external_id": "1", "kind": "customer_service",
        "team": "waste-recycling", "department": "waste-recycling", "assignee": lead.email,
        "assignee_name": lead.name, "rules_version": "2026.12-4", "outcome": "customer_service",
        "flags": [], "opened_at": T0, "due_at": calendar.deadline(target, T0),
        "escalate_at": calendar.deadline(target, T0, config.cases.second_escalation_factor),
        "status": "open", "recorded_at": T0 + STEP, "updated_at": T0 + STEP,
        "details": {"foi_valid": None, "topic": "bins", "author_external_id": RESIDENT,
                    "conversation_id": "c1", "url": "https://x.com/r/status/1", "carries": []},
    }
    assert store.cases[1]["escalate_at"] > store.cases[1]["due_at"]
    assert store.events == [{
        "case_id": 1, "event": "opened", "at": T0, "recorded_at": T0 + STEP, "actor": ACTOR,
        "from_status": None, "to_status": "open", "once_key": "opened",
        "detail": {"rules_version": "2026.12-4", "outcome": "customer_service",
                   "team": "waste-recycling", "assignee": lead.email, "carries": []}}]
    assert result.opened == Counter({"waste-recycling": 1}) and result.backlog == Counter()
    assert result.decisions_seen == 1
    assert run(store, config, T0 + 2 * STEP).opened == Counter()


def test_the_decisions_asked_for_are_the_promises_under_the_rules_in_force(store, config):
    run(store, config, T0)
    assert store.decision_queries == [{
        "now": T0, "outcomes": ["customer_service", "service_conversation", "escalate_comms"],
        "flags": ["foi", "emergency"], "rules_version": config.triage.rules_version}]


def test_a_decision_that_promises_nothing_enabled_opens_nothing(store, config):
    store.decisions = [decision("1", outcome="monitor"),
                       decision("2", outcome="monitor", flags=["emergency"])]
    result = run(store, config_with(config, kinds=["customer_service"]), T0 + STEP)
    assert store.cases == {} and store.events == []
    assert result.decisions_seen == 2 and result.as_dict()["opened"] == 0


def test_an_foi_request_in_a_complaint_is_one_foi_case_carrying_the_complaint(store, config,
                                                                             calendar):
    store.decisions = [decision("1", flags=["foi"], department="planning", foi_valid=True)]
    result = run(store, config, T0 + STEP)
    (case,) = store.cases.values()
    assert (case["kind"], case["team"], case["flags"]) == ("foi", "planning", ["foi"])
    assert case["due_at"] == calendar.deadline(config.response_targets["foi"], T0)
    assert case["details"]["foi_valid"] is True
    due = calendar.deadline(config.response_targets["customer_service"], T0)
    assert case["details"]["carries"] == [{"kind": "customer_service", "due_at": due.isoformat()}]
    assert store.events[0]["detail"]["carries"] == ["customer_service"]
    assert result.opened == Counter({"planning": 1})


def test_an_item_with_a_case_of_that_kind_opens_no_second(store, config, monkeypatch):
    store.add_case(store, {"platform": "twitter", "external_id": "1", "kind": "customer_service",
                           "status": "open", "team": "waste-recycling", "due_at": T0 + 30 * HOUR})
    # the query already leaves such items out; a case opened meanwhile is not opened twice
    monkeypatch.setattr(lifecycle, "decisions_without_case",
                        lambda conn, **kw: [decision("1"), decision("2")])
    result = WatchResult(now=T0 + STEP)
    case_watch.open_cases(store, config, WorkingCalendar.from_config(config), T0 + STEP, result)
    assert [c["external_id"] for c in store.cases.values()] == ["1", "2"]
    assert [e["case_id"] for e in store.events] == [2]
    assert result.opened == Counter({"waste-recycling": 1}) and result.decisions_seen == 2


def test_history_before_the_watch_is_backlog_but_the_law_s_clocks_run_from_receipt(store,
                                                                                  config):
    live_from = T0 - HOUR
    store.decisions = [
        decision("old", live_from - timedelta(seconds=1)),
        decision("edge", live_from),
        decision("foi", live_from - HOUR, outcome="monitor", flags=["foi"], department="planning"),
        decision("sos", live_from - HOUR, outcome="escalate_comms", flags=["emergency"],
                 department="housing"),
    ]
    result = run(store, config, T0)
    status = {c["external_id"]: (c["kind"], c["status"]) for c in store.cases.values()}
    assert status == {"old": ("customer_service", "backlog"), "edge": ("customer_service", "open"),
                      "foi": ("foi", "open"), "sos": ("emergency", "escalated")}
    # the emergency's clock ran from receipt, two hours ago: past both steps at once
    backlog = next(e for e in store.events if e["case_id"] == 1)
    assert (backlog["event"], backlog["to_status"], backlog["once_key"]) == (
        "backlog", "backlog", "opened")
    assert result.backlog == Counter({"waste-recycling": 1})
    assert sum(result.opened.values()) == 3


def test_a_flag_list_that_is_missing_is_stored_empty_and_the_decision_s_own_kept(store, config):
    store.decisions = [decision("1", flags=None), decision("2", flags=["emergency"],
                                                           outcome="monitor", department=None)]
    run(store, config, T0 + STEP)
    assert [c["flags"] for c in store.cases.values()] == [[], ["emergency"]]


def test_a_department_no_team_has_falls_back_by_kind(store, config):
    store.decisions = [decision("1", department="nowhere"),
                       decision("2", department=None, outcome="escalate_comms")]
    run(store, config, T0 + STEP)
    assert [c["team"] for c in store.cases.values()] == ["customer-services", "communications"]
    assert [c["department"] for c in store.cases.values()] == ["nowhere", None]


# --- replies in the thread ---------------------------------------------------------------


def reply(case_id: int, account: str, at: datetime, reply_id: str = "r1", store=None) -> dict:
    case = store.cases[case_id]
    return {"id": case_id, "kind": case["kind"], "team": case["team"], "platform": "twitter",
            "reply_id": reply_id, "author_external_id": account, "created_at": at}


def opened(store, config, *decisions) -> None:
    store.decisions = list(decisions)
    run(store, config, T0 + STEP)


def test_the_owning_team_s_reply_responds_and_closes(store, config):
    opened(store, config, decision("1"))
    store.replies = [reply(1, ENVIRONMENT, T0 + HOUR, store=store)]
    result = run(store, config, T0 + 2 * HOUR)
    actor = "account:brent-environment"
    detail = {"reply_external_id": "r1", "account": "brent-environment"}
    assert store.events_of(1)[1:] == [
        {"case_id": 1, "event": "responded", "at": T0 + HOUR, "recorded_at": T0 + 2 * HOUR,
         "actor": actor, "from_status": "open", "to_status": "responded",
         "once_key": "responded", "detail": {**detail, "channel": "thread"}},
        {"case_id": 1, "event": "closed", "at": T0 + HOUR, "recorded_at": T0 + 2 * HOUR,
         "actor": actor, "from_status": "responded", "to_status": "closed",
         "once_key": "closed", "detail": detail}]
    case = store.cases[1]
    assert (case["status"], case["responded_at"], case["responded_by"], case["response_channel"],
            case["closed_at"], case["updated_at"]) == (
        "closed", T0 + HOUR, actor, "thread", T0 + HOUR, T0 + 2 * HOUR)
    assert result.responded == Counter({"waste-recycling": 1})
    assert result.closed == Counter({"waste-recycling": 1})
    assert store.reply_queries[-1][1] == T0 + 2 * HOUR
    assert store.reply_queries[-1][0] == sorted(store.reply_queries[-1][0])
    assert {ENVIRONMENT, MAIN} <= set(store.reply_queries[-1][0])


def test_another_team_s_reply_responds_but_leaves_the_case_open(store, config):
    opened(store, config, decision("1"))
    store.replies = [reply(1, MAIN, T0 + HOUR, store=store)]
    result = run(store, config, T0 + 2 * HOUR)
    assert store.keys_of(1) == ["opened", "responded"]
    assert store.cases[1]["status"] == "responded"
    assert store.events_of(1)[1]["actor"] == "account:brent-council"
    assert result.responded == Counter({"waste-recycling": 1}) and result.closed == Counter()
    # then the owning team answers too: that closes it, from "responded"
    store.replies.append(reply(1, ENVIRONMENT, T0 + 3 * HOUR, "r2", store=store))
    result = run(store, config, T0 + 4 * HOUR)
    closing = store.events_of(1)[-1]
    assert (closing["event"], closing["from_status"], closing["at"], closing["recorded_at"],
            closing["actor"], closing["detail"]) == (
        "closed", "responded", T0 + 3 * HOUR, T0 + 4 * HOUR, "account:brent-environment",
        {"reply_external_id": "r2", "account": "brent-environment"})
    assert store.cases[1]["closed_at"] == T0 + 3 * HOUR
    assert result.closed == Counter({"waste-recycling": 1}) and result.responded == Counter()


def test_a_second_reply_from_a_team_that_cannot_close_changes_nothing(store, config):
    opened(store, config, decision("1"))
    store.replies = [reply(1, MAIN, T0 + HOUR, store=store),
                     reply(1, MAIN, T0 + 2 * HOUR, "r2", store=store)]
    result = run(store, config, T0 + 3 * HOUR)
    assert store.keys_of(1) == ["opened", "responded"]
    assert store.cases[1]["responded_at"] == T0 + HOUR
    assert result.responded == Counter({"waste-recycling": 1})


def test_the_web_team_may_close_an_escalation(store, config):
    opened(store, config, decision("1", outcome="escalate_comms", department="housing"))
    store.replies = [reply(1, MAIN, T0 + HOUR, store=store)]
    run(store, config, T0 + 2 * HOUR)
    assert store.cases[1]["status"] == "closed"


def test_a_case_closed_meanwhile_takes_no_reply(store, config, monkeypatch):
    opened(store, config, decision("1"))
    store.replies = [reply(1, ENVIRONMENT, T0 + HOUR, store=store)]
    monkeypatch.setattr(lifecycle, "thread_replies", lambda conn, ids, now: list(store.replies))
    store.cases[1]["status"] = "closed"
    result = WatchResult(now=T0)
    case_watch.detect_replies(store, config, T0 + 2 * HOUR, result)
    assert store.keys_of(1) == ["opened"] and result.responded == Counter()
    # and the replies after it, to other cases, still count
    opened(store, config, decision("2"))
    store.replies.append(reply(2, ENVIRONMENT, T0 + HOUR, "r2", store=store))
    case_watch.detect_replies(store, config, T0 + 2 * HOUR, result)
    assert store.keys_of(2) == ["opened", "responded", "closed"]


def test_an_foi_thread_reply_only_acknowledges_once(store, config):
    opened(store, config, decision("1", outcome="monitor", flags=["foi"], department="planning"))
    store.replies = [reply(1, MAIN, T0 + HOUR, store=store),
                     reply(1, MAIN, T0 + 2 * HOUR, "r2", store=store)]
    result = run(store, config, T0 + 3 * HOUR)
    assert store.events_of(1)[1:] == [{
        "case_id": 1, "event": "acknowledged", "at": T0 + HOUR, "recorded_at": T0 + 3 * HOUR,
        "actor": "account:brent-council", "from_status": None, "to_status": None,
        "once_key": "acknowledged", "detail": {"reply_external_id": "r1",
                                               "account": "brent-council"}}]
    assert store.cases[1]["status"] == "open" and store.cases[1]["responded_at"] is None
    assert result.acknowledged == Counter({"planning": 1}) and result.responded == Counter()


def test_posts_by_anyone_but_a_council_account_are_not_replies(store, config):
    opened(store, config, decision("1"))
    store.replies = [reply(1, RESIDENT, T0 + HOUR, store=store),
                     {**reply(1, ENVIRONMENT, T0 + HOUR, store=store), "platform": "facebook"}]
    run(store, config, T0 + 2 * HOUR)
    assert store.keys_of(1) == ["opened"]


def test_with_no_council_account_ids_the_thread_is_not_searched(store, config):
    no_ids = config.model_copy(update={"accounts": [a.model_copy(update={"external_id": None})
                                                    for a in config.accounts]})
    assert case_watch._thread_replies(store, no_ids, T0) == []
    assert store.reply_queries == []


def test_respond_and_close_happen_once(store, config):
    opened(store, config, decision("1"))
    kw = {"at": T0 + HOUR, "recorded_at": T0 + HOUR, "actor": "officer:Wanda", "detail": {}}
    assert respond(store, 1, status="open", channel="phone", **{**kw, "recorded_at": T0 + 3 * HOUR}) is True
    assert store.cases[1]["updated_at"] == T0 + 3 * HOUR
    assert respond(store, 1, status="responded", channel="email",
                   **{**kw, "at": T0 + 2 * HOUR}) is False
    assert store.cases[1]["response_channel"] == "phone"
    assert store.cases[1]["responded_at"] == T0 + HOUR
    assert store.events_of(1)[-1]["detail"] == {"channel": "phone"}
    assert close(store, 1, status="responded", **{**kw, "recorded_at": T0 + 4 * HOUR}) is True
    assert (store.cases[1]["updated_at"], store.cases[1]["closed_at"]) == (T0 + 4 * HOUR, T0 + HOUR)
    store.cases[1]["closed_at"] = None
    assert close(store, 1, status="responded", **kw) is False
    assert store.cases[1]["closed_at"] is None


# --- the clocks --------------------------------------------------------------------------


def late_case(store, config) -> dict:
    opened(store, config, decision("1"))
    return store.cases[1]


def test_at_the_deadline_overdue_and_the_lead_officer_told(store, config):
    case = late_case(store, config)
    result = run(store, config, case["due_at"] - timedelta(seconds=1))
    assert store.keys_of(1) == ["opened"] and result.overdue == Counter()
    result = run(store, config, case["due_at"])
    lead = config.team("waste-recycling").lead_officer
    assert store.events_of(1)[1:] == [
        {"case_id": 1, "event": "overdue", "at": case["due_at"], "recorded_at": case["due_at"],
         "actor": ACTOR, "from_status": "open", "to_status": "overdue", "once_key": "overdue",
         "detail": {"due_at": case["due_at"].isoformat()}},
        {"case_id": 1, "event": "escalated", "at": case["due_at"], "recorded_at": case["due_at"],
         "actor": ACTOR, "from_status": None, "to_status": None,
         "once_key": "escalated:lead_officer",
         "detail": {"step": "lead_officer", "to": lead.email, "name": lead.name}}]
    assert (store.cases[1]["status"], store.cases[1]["updated_at"]) == ("overdue", case["due_at"])
    assert result.overdue == Counter({"waste-recycling": 1})
    assert result.escalated == Counter({"waste-recycling": 1})


def test_at_the_escalation_time_the_head_of_communications(store, config):
    case = late_case(store, config)
    run(store, config, case["due_at"])
    result = run(store, config, case["escalate_at"] - timedelta(seconds=1))
    assert len(store.events) == 3 and result.escalated == Counter()
    result = run(store, config, case["escalate_at"])
    head = config.council.head_of_communications
    assert store.events[-1] == {
        "case_id": 1, "event": "escalated", "at": case["escalate_at"],
        "recorded_at": case["escalate_at"], "actor": ACTOR, "from_status": "overdue",
        "to_status": "escalated", "once_key": "escalated:head_of_communications",
        "detail": {"step": "head_of_communications", "to": head.email, "name": head.name}}
    assert (store.cases[1]["status"], store.cases[1]["updated_at"]) == (
        "escalated", case["escalate_at"])
    assert result.escalated == Counter({"waste-recycling": 1}) and result.overdue == Counter()
    assert run(store, config, case["escalate_at"] + HOUR).escalated == Counter()
    assert len(store.events) == 4


def test_a_case_found_past_both_times_gets_every_step_in_one_run(store, config):
    case = late_case(store, config)
    result = run(store, config, case["escalate_at"] + HOUR)
    assert store.keys_of(1) == ["opened", "overdue", "escalated:lead_officer",
                                "escalated:head_of_communications"]
    head_step = store.events[-1]
    assert (head_step["from_status"], head_step["at"]) == ("overdue", case["escalate_at"])
    assert store.cases[1]["status"] == "escalated"
    assert result.escalated == Counter({"waste-recycling": 2})
    assert result.overdue == Counter({"waste-recycling": 1})


def test_an_escalated_case_missing_its_overdue_step_keeps_its_status(store, config):
    case = late_case(store, config)
    store.cases[1]["status"] = "escalated"
    result = run(store, config, case["due_at"])
    overdue = store.events_of(1)[1]
    assert (overdue["from_status"], overdue["to_status"]) == ("escalated", "overdue")
    assert store.cases[1]["status"] == "escalated"
    assert result.overdue == Counter({"waste-recycling": 1})


def test_a_step_recorded_before_is_not_counted_again(store, config):
    case = late_case(store, config)
    store.add_event(store, {"case_id": 1, "event": "overdue", "at": case["due_at"],
                            "once_key": "overdue"})
    result = run(store, config, case["due_at"])
    assert store.keys_of(1) == ["opened", "overdue", "escalated:lead_officer"]
    assert store.cases[1]["status"] == "open"  # only the step that records it moves it
    assert result.overdue == Counter() and result.escalated == Counter({"waste-recycling": 1})


def test_the_head_step_recorded_before_is_not_counted_and_moves_nothing(store, config):
    case = late_case(store, config)
    store.add_event(store, {"case_id": 1, "event": "escalated", "at": case["escalate_at"],
                            "once_key": "escalated:head_of_communications"})
    result = run(store, config, case["escalate_at"])
    assert store.cases[1]["status"] == "overdue"
    assert result.escalated == Counter({"waste-recycling": 1})


def test_each_late_case_escalates_to_its_own_team_s_lead(store, config):
    opened(store, config, decision("1"), decision("2", department="parking"))
    late = max(c["escalate_at"] for c in store.cases.values())
    result = run(store, config, late)
    leads = [e["detail"]["to"] for e in store.events if e["once_key"] == "escalated:lead_officer"]
    assert leads == [config.team("waste-recycling").lead_officer.email,
                     config.team("parking").lead_officer.email]
    assert result.escalated == Counter({"waste-recycling": 2, "parking": 2})


def test_a_responded_case_is_never_late(store, config):
    case = late_case(store, config)
    store.cases[1].update(status="responded", responded_at=T0 + HOUR)
    assert run(store, config, case["escalate_at"]).overdue == Counter()
    assert store.keys_of(1) == ["opened"]


# --- FoI reminders run in the same transaction -------------------------------------------


def test_the_watch_sends_foi_reminders(store, config, calendar):
    opened(store, config, decision("1", outcome="monitor", flags=["foi"], department="planning"))
    due = store.cases[1]["due_at"]
    five_before = calendar.start_of_office_day(
        calendar.subtract_working_days(calendar.local_date(due), 5))
    result = run(store, config, five_before)
    assert store.keys_of(1) == ["opened", "reminder:5"]
    assert result.reminders == Counter({"planning": 1})


def test_acknowledgements_add_up_and_the_replies_after_one_still_count(store, config):
    opened(store, config,
           decision("1", outcome="monitor", flags=["foi"], department="planning"),
           decision("2", outcome="monitor", flags=["foi"], department="planning"),
           decision("3"))
    store.replies = [reply(1, MAIN, T0 + HOUR, "r1", store=store),
                     reply(2, MAIN, T0 + HOUR, "r2", store=store),
                     reply(3, ENVIRONMENT, T0 + HOUR, "r3", store=store)]
    result = run(store, config, T0 + 2 * HOUR)
    assert result.acknowledged == Counter({"planning": 2})
    assert store.keys_of(3) == ["opened", "responded", "closed"]


def test_a_decision_that_opens_nothing_does_not_stop_the_next(store, config):
    store.decisions = [decision("1", outcome="monitor"), decision("2")]
    assert run(store, config, T0 + STEP).opened == Counter({"waste-recycling": 1})
    assert [c["external_id"] for c in store.cases.values()] == ["2"]


def test_counts_add_up_over_cases_of_one_team(store, config):
    opened(store, config, decision("1"), decision("2"), decision("3"), decision("4"))
    store.replies = [reply(1, ENVIRONMENT, T0 + HOUR, "r1", store=store),
                     reply(2, ENVIRONMENT, T0 + HOUR, "r2", store=store),
                     reply(3, MAIN, T0 + HOUR, "r3", store=store),
                     reply(4, MAIN, T0 + HOUR, "r4", store=store)]
    result = run(store, config, T0 + 2 * HOUR)
    assert result.responded == Counter({"waste-recycling": 4})
    assert result.closed == Counter({"waste-recycling": 2})
    store.replies += [reply(3, ENVIRONMENT, T0 + 3 * HOUR, "r5", store=store),
                      reply(4, ENVIRONMENT, T0 + 3 * HOUR, "r6", store=store)]
    result = run(store, config, T0 + 4 * HOUR)
    assert result.closed == Counter({"waste-recycling": 2}) and result.responded == Counter()


def test_an_escalation_answered_by_a_service_is_closed_by_the_web_team_later(store, config):
    opened(store, config, decision("1", outcome="escalate_comms", department="housing"))
    store.replies = [reply(1, ENVIRONMENT, T0 + HOUR, "r1", store=store)]
    run(store, config, T0 + 2 * HOUR)
    assert store.cases[1]["status"] == "responded"
    store.replies.append(reply(1, MAIN, T0 + 3 * HOUR, "r2", store=store))
    run(store, config, T0 + 4 * HOUR)
    assert store.cases[1]["status"] == "closed"


def test_late_cases_of_one_team_add_up_and_a_finished_one_does_not_stop_the_next(store, config):
    opened(store, config, decision("1"))
    first = store.cases[1]
    run(store, config, first["escalate_at"])
    assert store.cases[1]["status"] == "escalated"
    store.decisions = [decision("2", T0),
                       decision("3", T0)]
    result = run(store, config, first["escalate_at"] + STEP)
    assert store.keys_of(2)[-1] == "escalated:head_of_communications"
    assert store.keys_of(3)[-1] == "escalated:head_of_communications"
    assert result.overdue == Counter({"waste-recycling": 2})
    assert result.escalated == Counter({"waste-recycling": 4})


def test_opened_and_backlog_add_up_within_a_team(store, config):
    old = T0 - 2 * HOUR
    store.decisions = [decision("1"), decision("2"), decision("3", old), decision("4", old)]
    result = run(store, config, T0 + STEP)
    assert result.opened == Counter({"waste-recycling": 2})
    assert result.backlog == Counter({"waste-recycling": 2})


def foi_case(store, config, n: str = "1"):
    store.decisions.append(decision(n, outcome="monitor", flags=["foi"], department="planning"))
    run(store, config, T0 + STEP)
    return next(c for c in store.cases.values() if c["external_id"] == n)


def test_an_foi_reminder_at_its_time_exactly_and_once(store, config, calendar):
    case = foi_case(store, config)
    due = case["due_at"]
    five = calendar.start_of_office_day(calendar.subtract_working_days(calendar.local_date(due), 5))
    assert run(store, config, five - timedelta(seconds=1)).reminders == Counter()
    assert store.keys_of(1) == ["opened"]
    result = run(store, config, five)
    assert store.events[-1] == {
        "case_id": 1, "event": "reminder", "at": five, "recorded_at": five, "actor": ACTOR,
        "from_status": None, "to_status": None, "once_key": "reminder:5",
        "detail": {"working_days_left": 5, "due_at": due.isoformat()}}
    assert result.reminders == Counter({"planning": 1})
    assert run(store, config, five + HOUR).reminders == Counter()
    assert store.keys_of(1) == ["opened", "reminder:5"]


def test_a_case_found_late_gets_only_the_nearest_reminder(store, config, calendar):
    case = foi_case(store, config)
    due = case["due_at"]
    one = calendar.start_of_office_day(calendar.subtract_working_days(calendar.local_date(due), 1))
    result = run(store, config, one)
    assert store.keys_of(1) == ["opened", "reminder:1"]
    assert store.events[-1]["at"] == one and store.events[-1]["detail"]["working_days_left"] == 1
    assert result.reminders == Counter({"planning": 1})


def test_reminders_add_up_over_cases_of_one_team(store, config, calendar):
    foi_case(store, config, "1")
    due = foi_case(store, config, "2")["due_at"]
    five = calendar.start_of_office_day(calendar.subtract_working_days(calendar.local_date(due), 5))
    assert run(store, config, five).reminders == Counter({"planning": 2})


def test_a_case_not_yet_due_a_reminder_does_not_stop_the_next(store, config, calendar):
    later = T0 + timedelta(days=5)
    store.decisions = [decision("1", later, outcome="monitor", flags=["foi"]),
                       decision("2", T0, outcome="monitor", flags=["foi"])]
    run(store, config, later + STEP)
    assert [c["external_id"] for c in store.cases.values()] == ["1", "2"]
    due = store.cases[2]["due_at"]
    five = calendar.start_of_office_day(calendar.subtract_working_days(calendar.local_date(due), 5))
    run(store, config, five)
    assert store.keys_of(1) == ["opened"]
    assert store.keys_of(2) == ["opened", "reminder:5"]
