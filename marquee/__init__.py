"""The application around the layers: settings (read once, here), the composition root that
builds the hub, the `marquee` command line, the demo and the outbox worker.

The only place that reads the environment and wires concrete parts together; lower layers
receive what they need as arguments.
"""
