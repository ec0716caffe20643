package io.gatehouse.storage;

import java.net.URI;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The one place S3 clients are built from {@link S3Config}. Clients are thread-safe and built once:
 * never construct one per request.
 */
@ApplicationScoped
public class S3Clients {

    @Produces
    @Singleton
    AwsCredentialsProvider credentialsProvider(S3Config config) {
        // Keys given by halves are refused at start (StartupChecks).
        if (config.accessKeyId().isPresent() && config.secretAccessKey().isPresent()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKeyId().get(), config.secretAccessKey().get()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    @Produces
    @Singleton
    S3Client s3Client(S3Config config, AwsCredentialsProvider credentials) {
        var builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(httpClient(config))
                .serviceConfiguration(serviceConfiguration(config))
                // Since SDK 2.30 every request carries a CRC32 by default; several S3-compatible stores
                // reject that, so send checksums only where the operation requires one (we sign our own).
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        endpoint(config).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    @Produces
    @Singleton
    S3Presigner s3Presigner(S3Config config, AwsCredentialsProvider credentials) {
        return presigner(config, credentials, browserEndpoint(config));
    }

    /** The signer of the bucket's GET URLs and single PUTs (see {@link UrlSigner}). */
    @Produces
    @Singleton
    UrlSigner getUrlSigner(S3Presigner presigner, AwsCredentialsProvider credentials) {
        return new UrlSigner(presigner, credentials);
    }

    /** HeadObject for upload verification, addressed to {@code gatehouse.s3.endpoint} as the S3 client is. */
    @Produces
    @Singleton
    ObjectHeads objectHeads(S3Config config, AwsCredentialsProvider credentials) {
        return new ObjectHeads(presigner(config, credentials, endpoint(config)), credentials, httpClient(config).build());
    }

    void close(@Disposes ObjectHeads heads) {
        heads.close();
    }

    void close(@Disposes S3Client client) {
        client.close();
    }

    void close(@Disposes S3Presigner presigner) {
        presigner.close();
    }

    /** Where Gatehouse calls the store. Encryption in transit: plain http is refused unless explicitly allowed. */
    public static Optional<URI> endpoint(S3Config config) {
        return config.endpoint().map(endpoint -> secure(config, "gatehouse.s3.endpoint", endpoint));
    }

    /** Where browsers reach the store: what pre-signed URLs are signed for (and the page's CSP allows). */
    public static Optional<URI> browserEndpoint(S3Config config) {
        return config.publicEndpoint().map(endpoint -> secure(config, "gatehouse.s3.public-endpoint", endpoint))
                .or(() -> endpoint(config));
    }

    private static URI secure(S3Config config, String setting, URI endpoint) {
        if (config.requireHttps() && !"https".equalsIgnoreCase(endpoint.getScheme())) {
            throw new IllegalStateException(setting + " must use https (encryption in transit) but is " + endpoint
                    + "; set gatehouse.s3.require-https=false only for a local test store");
        }
        return endpoint;
    }

    /**
     * The headers a pre-signed request was signed with, as the browser must send them: all but {@code Host} and
     * {@code Content-Length}, which the browser sets itself (to the same values, or the signature fails).
     */
    public static java.util.Map<String, String> headersToSend(software.amazon.awssdk.awscore.presigner.PresignedRequest signed) {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        signed.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                headers.put(name, String.join(",", values));
            }
        });
        return headers;
    }

    /**
     * The TLS context for other clients that talk to the store (the posture page's probes): the store's own CA when
     * one is configured, else the JVM's default.
     */
    public static javax.net.ssl.SSLContext sslContext(S3Config config) {
        try {
            Optional<javax.net.ssl.TrustManager[]> trust = trustManagers(config);
            if (trust.isEmpty()) {
                return javax.net.ssl.SSLContext.getDefault();
            }
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trust.get(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context for the store: " + e.getMessage(), e);
        }
    }

    private static Optional<javax.net.ssl.TrustManager[]> trustManagers(S3Config config) {
        return config.caCertificate().map(path -> {
            try (var pem = java.nio.file.Files.newInputStream(path)) {
                var certificates = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(pem);
                if (certificates.isEmpty()) {
                    throw new IllegalStateException("gatehouse.s3.ca-certificate " + path + " holds no certificate");
                }
                var store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
                store.load(null, null);
                int n = 0;
                for (var certificate : certificates) {
                    store.setCertificateEntry("store-ca-" + n++, certificate);
                }
                var factory = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                return factory.getTrustManagers();
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                throw new IllegalStateException("gatehouse.s3.ca-certificate " + path + " cannot be read: " + e.getMessage(), e);
            }
        });
    }

    private static S3Presigner presigner(S3Config config, AwsCredentialsProvider credentials, Optional<URI> endpoint) {
        var builder = S3Presigner.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(serviceConfiguration(config));
        endpoint.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static UrlConnectionHttpClient.Builder httpClient(S3Config config) {
        return trustManagers(config).map(trust -> UrlConnectionHttpClient.builder().tlsTrustManagersProvider(() -> trust))
                .orElseGet(UrlConnectionHttpClient::builder);
    }

    private static S3Configuration serviceConfiguration(S3Config config) {
        return S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build();
    }
}
