"""WhatsApp.enter: the one place a connection's status, QR code and linked number change."""

from __future__ import annotations

from datetime import UTC, datetime

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
