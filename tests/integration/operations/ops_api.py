"""A small HTTP client for the operations suite: register the first admin, make a connected simulated WhatsApp."""

from __future__ import annotations

from typing import Any

import httpx
from ops_harness import PASSWORD, until


class Api:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=20)

    async def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def register_admin(self, email: str = "ops@example.com") -> dict[str, Any]:
        body = {"name": "Ops", "email": email, "password": PASSWORD}
        admin: dict[str, Any] = await self.call("POST", "/auth/register", 201, json=body)
        self.http.headers["Authorization"] = f"Bearer {admin['accessToken']}"
        return admin

    async def login(self, email: str = "ops@example.com") -> httpx.Response:
        return await self.http.post("/auth/login", json={"email": email, "password": PASSWORD})

    async def connected_whatsapp(self) -> int:
        wid = int((await self.call("POST", "/whatsapps", 201, json={"name": "Main"}))["id"])
        await self.call("POST", f"/whatsapps/{wid}/session")

        async def has_qr() -> bool:
            return (await self.http.get(f"/whatsapps/{wid}/qrcode")).status_code == 200

        await until(has_qr, "a QR code")
        await self.call("POST", f"/dev/simulator/whatsapps/{wid}/scan", 202)

        async def connected() -> bool:
            return bool((await self.call("GET", f"/whatsapps/{wid}"))["status"] == "CONNECTED")

        await until(connected, "CONNECTED")
        return wid

    async def ticket_from(self, wid: int, number: str = "5511977770000") -> int:
        inbound = {"whatsappId": wid, "from": number, "name": "Rita", "body": "Hello?"}
        await self.call("POST", "/dev/simulator/inbound", 202, json=inbound)

        async def ticket() -> int | None:
            items = (await self.call("GET", "/tickets"))["items"]
            return int(items[0]["id"]) if items else None

        return await until(ticket, "the inbound ticket")

    async def ack_of(self, message_id: int) -> str:
        return str((await self.call("GET", f"/messages/{message_id}"))["ack"])

    async def close(self) -> None:
        await self.http.aclose()
