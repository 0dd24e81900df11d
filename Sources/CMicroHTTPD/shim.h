#include <sys/socket.h>
#include <string.h>
#include <microhttpd.h>

/* libmicrohttpd calls this with the request target as received, before it parses the query
 * (MHD_OPTION_URI_LOG_CALLBACK); what it returns becomes the request's context (`con_cls`). */
typedef void *(*cmhd_target_callback)(void *context, const char *target, struct MHD_Connection *connection);

/* MHD_start_daemon is variadic, which Swift cannot call: this fixes the options alertdb uses.
 * `address` carries the host and port; `completed` frees each request's context; `target` sees
 * each request line first; `connections` hears of every connection opened and closed.
 * `clientLimit` caps the connections of one peer address (0: no cap). */
static inline struct MHD_Daemon *cmhd_start(unsigned int flags, const struct sockaddr *address,
                                            unsigned int threads, unsigned int timeoutSeconds,
                                            size_t memoryLimit, unsigned int connectionLimit,
                                            unsigned int clientLimit,
                                            MHD_AccessHandlerCallback handler, void *context,
                                            MHD_RequestCompletedCallback completed,
                                            cmhd_target_callback target,
                                            MHD_NotifyConnectionCallback connections) {
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, context,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeoutSeconds,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memoryLimit,
                            MHD_OPTION_CONNECTION_LIMIT, connectionLimit,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, clientLimit,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, context,
                            MHD_OPTION_URI_LOG_CALLBACK, target, context,
                            MHD_OPTION_NOTIFY_CONNECTION, connections, context,
                            MHD_OPTION_END);
}

/* The port actually bound (useful with port 0). */
static inline uint16_t cmhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/* The peer's address, or NULL. */
static inline const struct sockaddr *cmhd_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info ? info->client_addr : NULL;
}

/* The connection's socket, or -1. */
static inline int cmhd_socket(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

/* Bytes of the request line and header fields, once the headers are in (0 before). */
static inline size_t cmhd_header_bytes(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    return info ? info->header_size : 0;
}

/* Makes the query of a request target that is being refused empty, so that libmicrohttpd does
 * not parse it. Only for the target the URI callback is given: in libmicrohttpd 0.9.75 it is
 * the connection's own read buffer, and the query is parsed from it right after the callback
 * returns. That parse is why: each parameter takes about 56 bytes of the connection's memory,
 * and when they do not fit, 0.9.75 queues its 431 and then overwrites the connection's state,
 * so the client gets no answer and waits for the connection timeout. */
static inline void cmhd_drop_query(const char *target) {
    char *query = strchr((char *)target, '?');
    if (query != NULL) query[1] = '\0';
}
