"""The replicas' own addresses that the gateway is given must be ones that answer."""

from serving.direct_ingress import reachable_host


def test_a_replica_behind_a_loopback_proxy_is_reached_on_loopback_not_the_node_address():
    # Serve reported 192.0.2.2:30000 while the replica listened on 127.0.0.1:30000 only.
    assert reachable_host("192.0.2.2", "127.0.0.1") == "127.0.0.1"
    assert reachable_host("192.0.2.2", "localhost") == "localhost"


def test_a_replica_behind_a_proxy_on_every_interface_is_reached_on_its_node():
    every_interface = "0.0.0.0"  # noqa: S104  # a name here, never bound
    assert reachable_host("192.0.2.2", every_interface) == "192.0.2.2"
    assert reachable_host("192.0.2.2", None) == "192.0.2.2"
