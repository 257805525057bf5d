package io.strata.tools;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

/**
 * gRPC calls to a service as the gateway makes them: the gateway's client-credentials token and
 * a user's token, from {@code STRATA_SERVICE_TOKEN} and {@code STRATA_USER_TOKEN} (the benchmarks'
 * launcher sets both).
 */
final class GatewayCalls {

    private GatewayCalls() {}

    /** A plaintext channel to {@code host:port}. */
    static ManagedChannel channel(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return NettyChannelBuilder.forAddress(
                        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))
                .usePlaintext()
                .build();
    }

    /** Attaches both tokens to every call. */
    static ClientInterceptor headers() {
        String serviceToken = System.getenv("STRATA_SERVICE_TOKEN");
        String userToken = System.getenv("STRATA_USER_TOKEN");
        if (serviceToken == null || userToken == null) {
            throw new IllegalStateException("STRATA_SERVICE_TOKEN and STRATA_USER_TOKEN must be set");
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + serviceToken);
        headers.put(Metadata.Key.of("strata-user-token", Metadata.ASCII_STRING_MARSHALLER), userToken);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }
}
