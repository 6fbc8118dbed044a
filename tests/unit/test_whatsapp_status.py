"""WhatsApp.enter: the one place a connection's status, QR code and linked number change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _showing_qr() -> WhatsApp:
    return WhatsApp("Main", ConnectionStatus.QRCODE, True, NOW, qrcode="qr-1")


def test_a_new_qr_code_replaces_the_old_one_and_keeps_the_status() -> None:
    whatsapp = _showing_qr()
    assert whatsapp.enter(ConnectionStatus.QRCODE, qrcode="qr-2") is False
    assert whatsapp.qrcode == "qr-2"


def test_qrcode_without_a_code_keeps_the_one_showing() -> None:
    whatsapp = _showing_qr()
    assert whatsapp.enter(ConnectionStatus.QRCODE) is False
    assert whatsapp.qrcode == "qr-1"


def test_any_other_status_drops_the_qr_code() -> None:
    whatsapp = _showing_qr()
    assert whatsapp.enter(ConnectionStatus.OPENING) is True
    assert (whatsapp.status, whatsapp.qrcode) == (ConnectionStatus.OPENING, None)


def test_a_new_number_is_a_change_even_in_the_same_status() -> None:
    whatsapp = WhatsApp("Main", ConnectionStatus.CONNECTED, True, NOW, number="5511999990000")
    assert whatsapp.enter(ConnectionStatus.CONNECTED) is False
    assert whatsapp.enter(ConnectionStatus.CONNECTED, number="5511999990000") is False
    assert whatsapp.enter(ConnectionStatus.CONNECTED, number="5511888880000") is True
    assert whatsapp.number == "5511888880000"


def test_a_ban_keeps_its_end_and_any_other_status_drops_it() -> None:
    whatsapp = WhatsApp("Main", ConnectionStatus.CONNECTED, True, NOW)
    until = NOW + timedelta(hours=2)
    assert whatsapp.enter(ConnectionStatus.BANNED, banned_until=until) is True
    assert whatsapp.banned_until == until
    assert whatsapp.enter(ConnectionStatus.BANNED, banned_until=until) is False
    assert whatsapp.enter(ConnectionStatus.BANNED, banned_until=until + timedelta(hours=1)) is True  # extended
    assert whatsapp.enter(ConnectionStatus.CONNECTED) is True
    assert whatsapp.banned_until is None
    assert whatsapp.enter(ConnectionStatus.OPENING, banned_until=until) is True
    assert whatsapp.banned_until is None


def test_only_sessions_that_ended_for_good_are_not_wanted() -> None:
    ended = {ConnectionStatus.DISCONNECTED, ConnectionStatus.OUTDATED, ConnectionStatus.LOGGED_OUT}
    assert {s for s in ConnectionStatus if not s.wants_session} == ended
    assert ConnectionStatus.BANNED.wants_session  # its holder waits the ban out
