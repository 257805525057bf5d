package io.strata.tools;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection that sends requests prepared as bytes and reads only the
 * status and enough of the answer to find its end (Content-Length or chunked). The benchmark's
 * driver shares the machine's cores with the service it measures; the JDK's HttpClient spent
 * more of them per request than the service's own parsing, and its single selector thread held
 * paced requests back (a p50 of 43 ms at a rate whose requests the service answers in 11 ms).
 */
final class BenchConnection implements AutoCloseable {

    private final InetSocketAddress address;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    BenchConnection(URI url) {
        this.address = new InetSocketAddress(url.getHost(), url.getPort() > 0 ? url.getPort() : 80);
    }

    /** A POST of {@code body} to {@code path} as bytes, ready to be sent again and again. */
    static byte[] post(URI url, String path, String authorization, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + path + " HTTP/1.1\r\n"
                        + "Host: " + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + "\r\n"
                        + "Content-Type: application/json\r\n"
                        + "Authorization: " + authorization + "\r\n"
                        + "Content-Length: " + content.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[head.length + content.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(content, 0, request, head.length, content.length);
        return request;
    }

    /** Sends the request and reads its answer: the status, or -1 when the connection failed (it is reopened next time). */
    int exchange(byte[] request) {
        try {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                socket.connect(address, 5_000);
                out = socket.getOutputStream();
                in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            }
            out.write(request);
            out.flush();
            return readResponse();
        } catch (IOException | NumberFormatException e) {
            close(); // a broken answer leaves the connection in an unknown state
            return -1;
        }
    }

    private int readResponse() throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.1 answer: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closing = false;
        for (String header; !(header = line()).isEmpty(); ) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> closing = value.contains("close");
                default -> {}
            }
        }
        if (chunked) {
            for (long size; (size = Long.parseLong(line().split(";", 2)[0].trim(), 16)) > 0; ) {
                skip(size);
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            skip(length);
        } else {
            closing = true; // the body runs to the end of the connection
        }
        if (closing) {
            close();
        }
        return status;
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new EOFException("connection closed mid-answer");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private void skip(long bytes) throws IOException {
        for (long left = bytes; left > 0; ) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed mid-answer");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }
}
