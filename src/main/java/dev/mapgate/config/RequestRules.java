package dev.mapgate.config;

import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.gate.ClientAddressResolver;

/**
 * The parts of a settings snapshot that one request is judged by. The gate takes them once, when
 * the request's head arrives, and keeps them until its response is sent: a reload in between
 * changes the next request, never this one.
 *
 * @param hosts    the hosts an absolute-form request-target may name ({@code listen.hosts})
 * @param clientIp who may report the client's address, and in which header
 */
public record RequestRules(GateSettings gate, AcceptedHosts hosts, ClientAddressResolver clientIp) {
}
