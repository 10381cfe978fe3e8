package dev.mapgate.config;

/** The admin listener ({@code mapgate.admin}), reserved for metrics and health endpoints. */
public record AdminSettings(String host, int port) {
}
