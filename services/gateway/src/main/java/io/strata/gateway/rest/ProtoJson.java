package io.strata.gateway.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * Messages of the services' contracts as the API's JSON (lowerCamelCase field names, timestamps
 * in RFC 3339), both ways: a body that is not the message is a 400 naming it.
 */
final class ProtoJson {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private ProtoJson() {}

    static String print(MessageOrBuilder message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a message cannot be written as JSON", e);
        }
    }

    /** The body read into the builder. */
    static <B extends Message.Builder> B parse(String body, B builder, String what) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest(what, "the body (" + what + ") is required");
        }
        try {
            PARSER.merge(body, builder);
            return builder;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw ApiException.badRequest(what, "the body is not a valid " + what + ": " + e.getMessage());
        }
    }
}
