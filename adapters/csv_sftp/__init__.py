from adapters.csv_sftp.adapter import CsvSftpAdapter

__all__ = ["CsvSftpAdapter"]
