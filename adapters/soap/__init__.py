from adapters.soap.adapter import SoapAdapter

__all__ = ["SoapAdapter"]
