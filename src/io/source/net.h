#pragma once
// Small TCP helpers shared by the socket source and the socket sink: non-blocking connect,
// listen, peer names, and sends that never raise SIGPIPE.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "rivulet/core/status.h"

namespace rivulet::io::internal {

class Canceller;

/// Starts a non-blocking TCP connection to host:port (IPv4 addresses preferred). Returns the
/// socket, with `connected` set when the connection completed at once; -1 with `error` set on
/// failure (name resolution, refused at once).
int start_connect(const std::string& host, int port, bool& connected, std::string& error);
/// Completes a connection started by start_connect once the socket is writable: true when
/// connected, else false with `error` (e.g. "Connection refused").
bool finish_connect(int fd, std::string& error);
/// Connects within `timeout` (one attempt), returning early on cancellation. -1 and `error` on
/// failure.
int connect_once(const std::string& host, int port, std::chrono::milliseconds timeout,
                 const Canceller& canceller, std::string& error);

/// A non-blocking listening socket on host:port (port 0: the OS picks one, returned in
/// `bound_port`).
Result<int> listen_tcp(const std::string& host, int port, int& bound_port);
/// "tcp://1.2.3.4:5678" for a connected socket's peer.
std::string peer_address(int fd);
void set_nonblocking(int fd);

/// Sends all of `data` (MSG_NOSIGNAL: a closed peer is an error, never SIGPIPE), waiting for
/// room when the socket is non-blocking. Returns the bytes sent before a failure (errno set).
size_t send_all(int fd, std::string_view data, int& error_number);

/// "host:port", with brackets around an IPv6 host.
std::string host_port(const std::string& host, int port);

}  // namespace rivulet::io::internal
