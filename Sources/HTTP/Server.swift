// libmicrohttpd behind a small Swift interface (see Server.swift).
