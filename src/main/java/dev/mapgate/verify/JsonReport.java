package dev.mapgate.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The same report for scripts: {@code result}, {@code exitCode}, counts and one object per check. */
public final class JsonReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonReport() {}

    public static String render(Report report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("url", report.url());
        root.put("result", report.overall().jsonName());
        root.put("exitCode", report.exitCode());
        ObjectNode counts = root.putObject("counts");
        for (Status status : Status.values()) {
            counts.put(status.jsonName(), report.count(status));
        }
        ArrayNode checks = root.putArray("checks");
        for (CheckResult check : report.checks()) {
            ObjectNode node = checks.addObject();
            node.put("name", check.name());
            node.put("status", check.status().jsonName());
            node.put("url", check.url());
            if (check.httpStatus() == null) {
                node.putNull("httpStatus");
            } else {
                node.put("httpStatus", check.httpStatus());
            }
            node.put("detail", check.detail());
        }
        return write(root);
    }

    /** For a run that could not check anything (exit 2). */
    public static String error(String url, String message) {
        ObjectNode root = JSON.createObjectNode();
        root.put("url", url);
        root.put("result", "error");
        root.put("exitCode", Report.EXIT_CANNOT_RUN);
        root.put("error", message);
        return write(root);
    }

    private static String write(ObjectNode root) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }
}
