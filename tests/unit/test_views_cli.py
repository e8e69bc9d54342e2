"""`council-social views serve` is dev-only: loopback only, and says so."""

from __future__ import annotations

from council_social.cli import build_parser, main


def test_views_serve_refuses_a_non_loopback_address(capsys):
    assert main(["views", "serve", "--host", "0.0.0.0", "--port", "8090"]) == 2
    assert "loopback only" in capsys.readouterr().err


def test_views_serve_defaults_to_loopback():
    args = build_parser().parse_args(["views", "serve", "--port", "8123"])
    assert (args.host, args.port) == ("127.0.0.1", 8123)
