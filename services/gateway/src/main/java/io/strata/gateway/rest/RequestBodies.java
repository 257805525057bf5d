package io.strata.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A request's JSON body read for a resource: a 400 naming {@code body} unless it is a JSON object. */
final class RequestBodies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestBodies() {}

    static JsonNode object(String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        try {
            JsonNode json = JSON.readTree(body);
            if (json == null || !json.isObject()) {
                throw ApiException.badRequest("body", "a JSON object is required");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "not JSON: " + e.getOriginalMessage());
        }
    }

    /** The body, a JSON object without {@code tenant} (a 400 naming it: the tenant is the signed-in user's). */
    static String withoutTenant(String body) {
        JsonNode json = object(body);
        if (json.has("tenant")) {
            throw ApiException.badRequest("tenant", "the tenant is the signed-in user's: leave it out");
        }
        return json.toString();
    }
}
