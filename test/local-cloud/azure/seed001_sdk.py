"""Seed 001's Python SDK algorithm (remove the `vip` ip-configuration, then create it on the other NIC, each
long-running operation waited by azure-core's ARM poller) run against the emulator by Debian's own azure-mgmt-network,
then a refused double allocation. Prints one JSON line. Argv: endpoint, token, ca file, subscription id."""
import json
import sys

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import NetworkInterfaceIPConfiguration

endpoint, token, ca, sub = sys.argv[1:5]


class Fixed:
    def get_token(self, *scopes, **kwargs):
        return AccessToken(token, 4102444800)


client = NetworkManagementClient(Fixed(), sub, base_url=endpoint, connection_verify=ca, polling_interval=0.05)
rg, name = "mirror-rg", "vip"
old = client.network_interfaces.get(rg, "iris-a-nic")
held = [c for c in old.ip_configurations if c.name == name][0]
old.ip_configurations = [c for c in old.ip_configurations if c.name != name]
client.network_interfaces.begin_create_or_update(rg, "iris-a-nic", old).result()
new = client.network_interfaces.get(rg, "iris-b-nic")
new.ip_configurations.append(NetworkInterfaceIPConfiguration(
    name=name, private_ip_address=held.private_ip_address, private_ip_allocation_method="Static",
    public_ip_address=held.public_ip_address, subnet=new.ip_configurations[0].subnet))
done = client.network_interfaces.begin_create_or_update(rg, "iris-b-nic", new).result()
refused = None
again = client.network_interfaces.get(rg, "iris-a-nic")
again.ip_configurations.append(NetworkInterfaceIPConfiguration(
    name="dup", private_ip_address=held.private_ip_address, private_ip_allocation_method="Static",
    subnet=again.ip_configurations[0].subnet))
try:
    client.network_interfaces.begin_create_or_update(rg, "iris-a-nic", again).result()
except HttpResponseError as e:
    refused = e.error.code if e.error else str(e.status_code)
print(json.dumps({
    "moved": [c.name for c in done.ip_configurations],
    "state": done.provisioning_state,
    "public": bool([c for c in done.ip_configurations if c.name == name][0].public_ip_address),
    "refused": refused,
}))
