"""Runs one real `pulumi` command whose Python program is served by this process, the way the Python Automation
API runs an inline program: the `pulumi` SDK's own LanguageServer (pulumi.automation._server) on 127.0.0.1, and
`pulumi <args> --client=127.0.0.1:<port>`, so the CLI asks this server to run the program instead of starting
`pulumi-language-python`, which the Go module proxy does not serve (see test/e2e/client-host.js, its Node.js twin).

    python python-client-host.py <program dir> <pulumi args...>

Run with the virtualenv's Python (the `pulumi` SDK from PyPI); the program's own imports (the generated SDK)
come from PYTHONPATH. Exits with the CLI's exit code.
"""

import os
import runpy
import signal
import subprocess
import sys
from concurrent import futures

import grpc
from pulumi.automation._server import LanguageServer
from pulumi.runtime.proto import language_pb2_grpc
from pulumi.runtime.settings import _GRPC_CHANNEL_OPTIONS


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: python python-client-host.py <program dir> <pulumi args...>", file=sys.stderr)
        return 2
    program_dir = os.path.abspath(sys.argv[1])
    pulumi_args = sys.argv[2:]

    def program() -> None:
        # Each run executes the program's __main__.py afresh, as a new `python` process under the real host would.
        runpy.run_path(os.path.join(program_dir, "__main__.py"), run_name="__main__")

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=_GRPC_CHANNEL_OPTIONS)
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageServer(program), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    # Ctrl-C reaches the whole process group, the CLI included; this process stays to serve the program.
    signal.signal(signal.SIGINT, lambda *_: None)
    try:
        return subprocess.run(["pulumi", *pulumi_args, f"--client=127.0.0.1:{port}"], check=False).returncode
    finally:
        server.stop(0)


if __name__ == "__main__":
    sys.exit(main())
