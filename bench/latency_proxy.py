"""A TCP proxy on 127.0.0.1 that delays every chunk by half a round-trip time
in each direction, to measure IMAP sync as over a WAN link (netem is not
available here; see ../shared/STACK.md). Bandwidth is not limited.

    proxy = LatencyProxy(target_port, rtt_ms=100); proxy.port; proxy.stop()
"""
import asyncio
import threading
import time


class LatencyProxy:
    def __init__(self, target_port, rtt_ms):
        self.target_port, self.delay = target_port, rtt_ms / 2000.0
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _pipe(self, reader, writer):
        queue = asyncio.Queue()

        async def deliver():
            while True:
                due, data = await queue.get()
                if data is None:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
            writer.close()

        task = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                queue.put_nowait((time.monotonic() + self.delay, data))
        finally:
            queue.put_nowait((0, None))
            await task

    async def _client(self, reader, writer):
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
