"""Property-based tests: validators, tool arguments and payload codecs hold for any input.

Each property says what must hold for every input hypothesis can think of: an update is either
accepted (and then processed) or refused with the documented reason, tool arguments are either
parsed into the declared model or reported back to the model, and payloads survive encryption,
storage and conversion unchanged (or are refused with a clear error when tampered with).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from unittest import mock

import pytest
import pytest_asyncio
from agents import ModelResponse, TResponseInputItem
from agents.tool_context import ToolContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.converter import (
    DataConverter,
    StorageDriverClaim,
    StorageDriverRetrieveContext,
    StorageDriverStoreContext,
    StorageDriverWorkflowInfo,
)
from temporalio.exceptions import ApplicationError

from agents_temporal import (
    AgentsPayloadConverter,
    EncryptionCodec,
    LocalStorageDriver,
    PayloadDecryptionError,
    PayloadStoreError,
    build_data_converter,
)
from agents_temporal._conversation.approval_types import ApprovalRecord, PendingRun
from agents_temporal._conversation.approvals import with_edited_arguments
from agents_temporal._conversation.message_checks import has_visible_text
from agents_temporal._conversation.state import ConversationState
from agents_temporal._conversation.types import REFUSAL_REASONS, ConversationSnapshot
from agents_temporal._payloads.codec import ENCRYPTED_ENCODING, KEY_ID_METADATA
from agents_temporal.client import (
    ApprovalDecision,
    ConversationConfig,
    ConversationHandle,
    ConversationRefused,
    PendingApproval,
    SendMessage,
    TranscriptEntry,
)
from agents_temporal.testing import ResponseBuilders
from agents_temporal.workflow import UsageReport, activity_as_tool
from support_tools import (
    OrderRequest,
    StoreActivities,
    SupportContext,
    make_refund_approval_policy,
    refund_amount_cents,
    set_current_order,
)
from tests.conversations.support import shop

FAST = settings(max_examples=60, deadline=None, database=None)
"""Pure properties: many examples, each a few microseconds to milliseconds."""
TEMPORAL = settings(
    max_examples=8,
    deadline=None,
    database=None,
    # One conversation serves every example; the oracle reads its state before each one.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
"""Properties checked through a real workflow: a few examples, each a Temporal round trip."""

NOW = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)
KEY_OLD, KEY_NEW = os.urandom(32), os.urandom(32)
TIMEOUT = timedelta(seconds=10)
REFUND_TOOL = activity_as_tool(StoreActivities.issue_refund, start_to_close_timeout=TIMEOUT)
LOOKUP_TOOL = activity_as_tool(StoreActivities.lookup_order, start_to_close_timeout=TIMEOUT)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
refund_arguments = st.fixed_dictionaries(
    {
        "request": st.fixed_dictionaries(
            {
                "customer_id": st.text(max_size=12),
                "order_id": st.text(max_size=12),
                "amount_cents": st.integers(),
                "currency": st.text(max_size=4),
                "reason": st.text(max_size=20),
                "refund_key": st.none() | st.text(max_size=12),
            }
        )
    }
)
order_arguments = st.fixed_dictionaries(
    {"request": st.fixed_dictionaries({"customer_id": json_values, "order_id": json_values})}
) | st.fixed_dictionaries(
    {"request": st.fixed_dictionaries({"customer_id": st.text(), "order_id": st.text()})}
)
# What a model (or someone steering one) may put where JSON arguments belong.
tool_argument_text = (
    st.text(max_size=40)
    | json_values.map(json.dumps)
    | order_arguments.map(json.dumps)
    | st.tuples(order_arguments, json_objects).map(lambda pair: json.dumps({**pair[1], **pair[0]}))
)


# -- Update validators ---------------------------------------------------------------------------


def _approval(approval_id: str, schema: dict[str, Any] | None) -> PendingApproval:
    return PendingApproval(
        id=approval_id,
        call_id=f"call-{approval_id}",
        tool="issue_refund",
        arguments="{}",
        agent="Refunds",
        turn=3,
        requested_at=NOW,
        parameters_schema=schema,
    )


def _state(phase: str, *, turn: int = 3, limit: int = 8000) -> ConversationState:
    """A conversation at ``turn`` that is idle, running, awaiting approvals or closed."""
    approvals = [
        _approval("approval-1", REFUND_TOOL.params_json_schema),
        _approval("approval-2", None),
        _approval("approval-3", None),
    ]
    approvals[2].decision = ApprovalRecord(
        approval_id="approval-3",
        tool="issue_refund",
        approved=True,
        operator="earlier@example.com",
        source="operator",
        decided_at=NOW,
    )
    run = PendingRun(turn=turn, state={}, items_seen=0, session_length=0, approvals=approvals)
    snapshot = ConversationSnapshot(
        turn=turn,
        current_agent=None,
        context=None,
        session_items=[],
        transcript=[],
        pending_run=run if phase in ("awaiting_approval", "closed") else None,
        tool_policies={},
        usage=UsageReport(),
        approvals_requested=3,
        workflow_runs=0,
    )
    state = ConversationState(ConversationConfig(max_message_chars=limit), snapshot)
    state.working = phase == "running"
    state.closing_reason = "closed" if phase == "closed" else None
    return state


def expected_message_refusal(
    phase: str, next_turn: int, limit: int, text: str, turn: int | None
) -> str | None:
    """The documented refusal for a message, checked in the documented order."""
    if phase == "closed":
        return "ConversationClosed"
    if not text.strip():
        return "EmptyMessage"
    if len(text) > limit:
        return "MessageTooLong"
    if not has_visible_text(text):
        return "EmptyMessage"
    if turn is not None and turn != next_turn:
        return "StaleTurn"
    if phase in ("awaiting_approval", "running"):
        return "AgentBusy"
    return None


def assert_refusal(error: ApplicationError, reason: str | None) -> None:
    assert error.type in REFUSAL_REASONS and error.type == reason
    assert error.non_retryable
    assert len(error.message) > 20, error.message


PHASES = st.sampled_from(["idle", "running", "awaiting_approval", "closed"])


@FAST
@given(
    phase=PHASES,
    turn=st.integers(0, 1000),
    limit=st.integers(1, 50),
    text=st.text(max_size=60),
    sent_turn=st.none() | st.integers(-5, 1005),
)
@example(phase="idle", turn=3, limit=50, text="\u2003\n\t", sent_turn=None)
def test_message_validator_accepts_or_refuses_as_documented(
    phase: str, turn: int, limit: int, text: str, sent_turn: int | None
) -> None:
    state = _state(phase, turn=turn, limit=limit)
    message = SendMessage(text=text, turn=sent_turn, sender="customer")
    expected = expected_message_refusal(phase, turn + 1, limit, text, sent_turn)
    try:
        state.check_message(message)
    except ApplicationError as error:
        assert_refusal(error, expected)
        return
    assert expected is None
    assert state.accept_message(message, NOW) == turn + 1
    assert state.inbox == (turn + 1, message)
    assert state.busy() and state.phase() == "running"
    assert state.transcript[-1].text == text and state.transcript[-1].kind == "user_message"


@FAST
@given(
    closed=st.booleans(),
    approval_id=st.sampled_from(["approval-1", "approval-2", "approval-3"]) | st.text(max_size=12),
    operator=st.sampled_from(["ops@example.com", "  ", ""]) | st.text(max_size=12),
    approve=st.booleans(),
    arguments=st.none() | json_objects | refund_arguments,
    reason=st.none() | st.text(max_size=20),
)
def test_decision_validator_accepts_or_refuses_as_documented(
    closed: bool,
    approval_id: str,
    operator: str,
    approve: bool,
    arguments: dict[str, Any] | None,
    reason: str | None,
) -> None:
    state = _state("closed" if closed else "awaiting_approval")
    decision = ApprovalDecision(
        approval_id=approval_id,
        approve=approve,
        operator=operator,
        arguments=arguments,
        reason=reason,
    )
    pending = {a.id: a for a in state.run.approvals} if state.run else {}
    target = pending.get(approval_id)
    if closed:
        expected = "ConversationClosed"
    elif target is None:
        expected = "UnknownApproval"
    elif target.decision is not None:
        expected = "AlreadyDecided"
    elif (
        not (name := operator.strip())
        or name.lower().startswith("system:")
        or len(name) > 200
        or not name.isprintable()
        or (arguments is not None and not approve)
    ):
        # No name, a name reserved for the conversation's own decisions, or one that is too
        # long or not printable.
        expected = "InvalidDecision"
    elif (
        arguments is not None
        and target.parameters_schema is not None
        and target.argument_problems(arguments)
    ):
        expected = "InvalidArguments"
    else:
        expected = None
    try:
        state.check_decision(decision)
    except ApplicationError as error:
        assert_refusal(error, expected)
        if expected == "InvalidArguments":
            assert "approval.parameters_schema" in error.message
        return
    assert expected is None and target is not None
    state.decide_by_operator(decision, NOW)
    record = target.decision
    assert record is not None
    assert (record.operator, record.approved, record.edited_arguments) == (
        operator,
        approve,
        arguments,
    )
    assert record.model_message is None if approve else bool(record.model_message)
    assert state.transcript[-1].kind == "approval_decision"
    assert state.transcript[-1].decision == record


@FAST
@given(arguments=json_objects | refund_arguments, others=st.integers(0, 3))
def test_edited_arguments_rewrite_exactly_the_approved_call(
    arguments: dict[str, Any], others: int
) -> None:
    edited_text = json.dumps(arguments, ensure_ascii=False)
    call = {"type": "function_call", "call_id": "call-1", "arguments": '{"request": {}}'}
    other = [
        {"type": "function_call", "call_id": f"other-{i}", "arguments": "{}"} for i in range(others)
    ]
    state: dict[str, Any] = {
        "generated_items": [{"raw_item": dict(call)}, *other],
        "model_responses": [{"output": [dict(call)]}],
        "context": {"tool_invocations": {"call-1": "fingerprint", "other-0": "kept"}},
    }
    before = json.dumps(state)
    edited = with_edited_arguments(state, "call-1", edited_text)
    assert json.dumps(state) == before, "the paused state itself is never changed"
    rewritten = [
        edited["generated_items"][0]["raw_item"],
        edited["model_responses"][0]["output"][0],
    ]
    assert all(json.loads(c["arguments"]) == arguments for c in rewritten)
    assert edited["generated_items"][1:] == other
    assert edited["context"]["tool_invocations"] == {"other-0": "kept"}


@pytest_asyncio.fixture(loop_scope="session")
async def shop_conversation(
    temporal_client: Client, task_queue: str
) -> AsyncIterator[ConversationHandle]:
    async with shop(temporal_client, task_queue) as env:
        yield await env.start(ConversationConfig(max_message_chars=40))


@TEMPORAL
@given(
    text=st.text(alphabet=st.characters(blacklist_characters="rR"), max_size=50),
    sent_turn=st.none() | st.integers(-2, 12),
)
async def test_send_message_through_the_workflow_accepts_or_refuses_as_documented(
    shop_conversation: ConversationHandle, text: str, sent_turn: int | None
) -> None:
    # No "r": the scripted shop model would start a refund (and an approval) on "refund".
    handle = shop_conversation
    status = await handle.status()
    expected = expected_message_refusal(status.phase, status.next_turn, 40, text, sent_turn)
    try:
        result = await handle.send(text, turn=sent_turn)
    except ConversationRefused as refused:
        assert refused.reason == expected and len(refused.message) > 20
        assert (await handle.status()).next_turn == status.next_turn
        return
    assert expected is None
    assert result.status == "completed" and result.turn == status.next_turn
    transcript = await handle.transcript()
    assert [e.text for e in transcript if e.kind == "user_message"][-1] == text


# -- Tool arguments ----------------------------------------------------------------------------


def _tool_context(arguments: str, context: Any = None) -> ToolContext[Any]:
    return ToolContext(
        context=context, tool_name="tool", tool_call_id="call-1", tool_arguments=arguments
    )


@FAST
@given(arguments=tool_argument_text)
@example(arguments="")
@example(arguments="1" * 5000)
@example(arguments="[" * 5000 + "]" * 5000)
@example(arguments='{"request": ' * 3000)
@example(arguments='{"request": {"customer_id": "CUST-1002", "order_id": "ORD-10042"}, "x": 1}')
@example(arguments='{"request": {"customer_id": "1\' OR \'1\'=\'1", "order_id": "ORD-10042"}}')
async def test_activity_tool_parses_arguments_or_tells_the_model(arguments: str) -> None:
    calls: list[tuple[str, list[Any]]] = []

    async def execute_activity(name: str, *, args: list[Any], **_: Any) -> str:
        calls.append((name, args))
        return "looked up"

    with mock.patch.object(workflow, "execute_activity", execute_activity):
        result = await LOOKUP_TOOL.on_invoke_tool(_tool_context(arguments), arguments)
    assert isinstance(result, str)
    if not calls:
        assert result.startswith("Invalid arguments for tool 'lookup_order': "), result
        return
    [(name, [request])] = calls
    assert name == "support.lookup_order" and result == "looked up"
    assert isinstance(request, OrderRequest)
    # What runs is what the model sent, nothing besides: tool guardrails and approval policies
    # read the same fields (support_tools.request_fields), so they judge the call that runs.
    sent = json.loads(arguments)
    assert set(sent) == {"request"}
    assert (sent["request"]["customer_id"], sent["request"]["order_id"]) == (
        request.customer_id,
        request.order_id,
    )


@FAST
@given(
    arguments=tool_argument_text | json_values.map(lambda value: json.dumps({"order_id": value}))
)
@example(arguments="[" * 5000)
@example(arguments='{"order_id": ' + "1" * 5000 + "}")
async def test_function_tool_parses_arguments_or_tells_the_model(arguments: str) -> None:
    context = SupportContext(customer_id="CUST-1001")
    result = await set_current_order.on_invoke_tool(_tool_context(arguments, context), arguments)
    assert isinstance(result, str)
    if result.startswith("The current order is now "):
        assert context.current_order_id is not None
        assert result.endswith(f"{context.current_order_id}.")
        assert context.recent_order_ids == [context.current_order_id]
    else:
        assert context.current_order_id is None and context.recent_order_ids == []


@FAST
@given(arguments=tool_argument_text | refund_arguments.map(json.dumps))
@example(arguments="[" * 5000)
@example(arguments='{"request": {"amount_cents": ' + "9" * 5000 + "}}")
async def test_refund_policy_reads_any_arguments_and_asks_when_in_doubt(arguments: str) -> None:
    amount = refund_amount_cents(arguments)
    assert amount is None or isinstance(amount, int)
    try:
        parsed: object = json.loads(arguments)
    except (ValueError, RecursionError):
        parsed = None
    # The SDK hands the policy the arguments as a dict (and asks for approval when they are not).
    as_dict = cast(dict[str, Any], parsed) if isinstance(parsed, dict) else {}
    needs = await make_refund_approval_policy(10_000)(_tool_context(arguments), as_dict, "call-1")
    assert needs == (amount is None or amount > 10_000)


# -- Codec, storage and converter round trips ----------------------------------------------------


def _payload(metadata: dict[str, bytes], data: bytes) -> Payload:
    return Payload(metadata=metadata, data=data)


payloads = st.builds(
    _payload,
    st.dictionaries(st.text(min_size=1, max_size=10), st.binary(max_size=20), max_size=3),
    st.binary(max_size=300),
)


@FAST
@given(payload=payloads)
async def test_encryption_round_trips_and_rotates(payload: Payload) -> None:
    old = EncryptionCodec({"old": KEY_OLD})
    rotated = EncryptionCodec({"old": KEY_OLD, "new": KEY_NEW}, current_key_id="new")
    [under_old] = await old.encode([payload])
    [under_new] = await rotated.encode([payload])
    for sealed, key_id in ((under_old, b"old"), (under_new, b"new")):
        assert sealed.metadata["encoding"] == ENCRYPTED_ENCODING
        assert sealed.metadata[KEY_ID_METADATA] == key_id
        assert set(sealed.metadata) == {"encoding", KEY_ID_METADATA, "encryption-cipher"}
        if len(payload.data) >= 16:
            assert payload.data not in sealed.data
    assert await rotated.decode([under_old, under_new]) == [payload, payload]
    assert await old.decode([under_old]) == [payload]
    with pytest.raises(PayloadDecryptionError, match="'new', which is not configured here"):
        await old.decode([under_new])


@FAST
@given(payload=payloads, position=st.integers(0, 10_000), bit=st.integers(0, 7), cut=st.booleans())
async def test_tampered_ciphertext_is_refused_clearly(
    payload: Payload, position: int, bit: int, cut: bool
) -> None:
    codec = EncryptionCodec({"old": KEY_OLD})
    [sealed] = await codec.encode([payload])
    tampered = Payload()
    tampered.CopyFrom(sealed)
    index = position % len(sealed.data)
    if cut:
        tampered.data = sealed.data[:index]
    else:
        tampered.data = (
            sealed.data[:index]
            + bytes([sealed.data[index] ^ (1 << bit)])
            + (sealed.data[index + 1 :])
        )
    with pytest.raises(PayloadDecryptionError, match="could not be decrypted") as caught:
        await codec.decode([tampered])
    assert caught.value.key_id == "old"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("payload-store")


@FAST
@given(
    payload_list=st.lists(payloads, min_size=1, max_size=3),
    namespace=st.text(max_size=20),
    workflow_id=st.none() | st.text(max_size=300),
)
@example(payload_list=[Payload(data=b"x")], namespace="..", workflow_id="../../etc/passwd")
async def test_local_store_round_trips_inside_its_directory(
    store_dir: Path, payload_list: list[Payload], namespace: str, workflow_id: str | None
) -> None:
    driver = LocalStorageDriver(store_dir / "driver")
    target = StorageDriverWorkflowInfo(namespace=namespace, id=workflow_id)
    claims = await driver.store(StorageDriverStoreContext(target=target), payload_list)
    assert await driver.retrieve(StorageDriverRetrieveContext(), claims) == payload_list
    for claim in claims:
        path = (driver.directory / claim.claim_data["key"]).resolve()
        assert path.is_relative_to(driver.directory.resolve()) and path.is_file()
    forged = StorageDriverClaim(claim_data={"key": claims[0].claim_data["key"], "sha256": "0" * 64})
    with pytest.raises(PayloadStoreError, match="is damaged"):
        await driver.retrieve(StorageDriverRetrieveContext(), [forged])


@pytest.fixture(scope="module")
def stored_converter(store_dir: Path) -> DataConverter:
    """Encryption, then payload storage for anything of 256 bytes or more."""
    return build_data_converter(
        storage=LocalStorageDriver(store_dir / "converter"),
        codec=EncryptionCodec({"old": KEY_OLD}),
        threshold_bytes=256,
    )


PLAIN_CONVERTER = DataConverter(payload_converter_class=AgentsPayloadConverter)
MARK = "plaintext-marker-7f3a"


@functools.cache
def adapter(hint: Any) -> TypeAdapter[Any]:
    # Building an adapter for the input-item union takes half a second: once per type.
    return TypeAdapter(hint)


@FAST
@given(text=st.text(max_size=400), arguments=json_objects)
async def test_agents_items_round_trip_encrypted_and_stored(
    stored_converter: DataConverter, store_dir: Path, text: str, arguments: dict[str, Any]
) -> None:
    values: list[tuple[Any, Any]] = [
        (ResponseBuilders.output_message(MARK + text), ModelResponse),
        (ResponseBuilders.tool_call(json.dumps(arguments), "lookup_order"), ModelResponse),
        ([{"role": "user", "content": MARK + text}], list[TResponseInputItem]),
        (SendMessage(text=MARK + text, turn=1, sender=text), SendMessage),
        (
            ApprovalDecision(approval_id=text, approve=True, operator="o", arguments=arguments),
            ApprovalDecision,
        ),
        (TranscriptEntry(turn=1, kind="tool_output", text=MARK + text, at=NOW), TranscriptEntry),
    ]
    for value, hint in values:
        for converter in (PLAIN_CONVERTER, stored_converter):
            [payload] = await converter.encode([value])
            if converter is stored_converter:
                assert MARK.encode() not in payload.SerializeToString()
            [back] = await converter.decode([payload], [hint])
            assert adapter(hint).dump_python(back) == adapter(hint).dump_python(value)
    for path in (store_dir / "converter").rglob("*"):
        assert not path.is_file() or MARK.encode() not in path.read_bytes()
