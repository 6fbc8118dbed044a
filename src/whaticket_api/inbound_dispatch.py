"""Inbound commands run by the core's use cases through the one table in :mod:`.transport`: the inbox's
dispatcher, used by the first processing of a stored event and by its retries alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from whaticket_adapters.jobs import UseCaseFactory
from whaticket_core.use_cases.inbound.inbound_commands import InboundCommand, InboundMessage
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessageResult

from .transport import INBOUND_USE_CASES, after_customer_message

# Asked before each processing in simulator mode: a reason makes it fail (the simulator's fail-inbound).
FaultSource = Callable[[int], Awaitable[str | None]]


class SimulatedHandlerFailure(RuntimeError):
    """The simulator was told to make the processing of inbound events fail."""


class UseCaseDispatcher:
    """Implements the core's ``InboundDispatcher``: each command in a use-case scope (a unit of work) of its own."""

    def __init__(self, use_cases: UseCaseFactory, fault: FaultSource | None = None) -> None:
        self._use_cases = use_cases
        self._fault = fault

    async def dispatch(self, command: InboundCommand) -> object:
        if self._fault is not None:
            reason = await self._fault(command.whatsapp_id)
            if reason is not None:
                raise SimulatedHandlerFailure(reason)
        async with self._use_cases.open(INBOUND_USE_CASES[type(command)]) as use_case:
            result = await use_case.execute(command)
        if isinstance(command, InboundMessage) and isinstance(result, ReceiveMessageResult):
            await after_customer_message(self._use_cases, command, result)
        return result
