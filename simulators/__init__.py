"""Legacy POS simulators speaking real protocols on loopback (REST/JSON, SOAP/XML with a WSDL,
CSV files over SFTP), each with its own seat inventory and a box office that sells.

The demo and the tests run against them. They know nothing of Marquee's domain or store: they
stand in for someone else's system.
"""
