package io.gatehouse.accesspoints;

import java.util.Optional;

import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.GetAccessPointResponse;
import software.amazon.awssdk.services.s3control.model.S3ControlException;

/**
 * The S3 Control calls for one account's access points, and nothing else: create (Block Public Access on, Internet or
 * VPC origin), attach a policy, describe, delete. Errors are the store's, as S3 Control answered them.
 */
class AccessPointControl {

    /** What S3 Control reports about an access point. */
    record Described(String name, String arn, String alias, String bucket, String networkOrigin, String vpcId,
            String policy, boolean blocksPublicAccess) {
    }

    record Created(String arn, String alias) {
    }

    private final S3ControlClient control;
    private final String account;

    AccessPointControl(S3ControlClient control, String account) {
        this.control = control;
        this.account = account;
    }

    /**
     * The S3 Control client. Against AWS the SDK puts the account id in front of the host
     * ({@code 123456789012.s3-control.eu-west-1.amazonaws.com}), as AWS wants; a local stub given as {@code endpoint}
     * (tests only) is called at its own address, without that prefix.
     */
    static S3ControlClient client(String region, software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials,
            Optional<java.net.URI> endpoint) {
        var builder = S3ControlClient.builder().region(software.amazon.awssdk.regions.Region.of(region))
                .credentialsProvider(credentials)
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder());
        // The stub: every request goes to its address as it stands (AWS's endpoint rules would put the account id in
        // front of any host, and a loopback address with a prefix resolves nowhere).
        endpoint.ifPresent(stub -> builder.endpointProvider(params -> java.util.concurrent.CompletableFuture.completedFuture(
                software.amazon.awssdk.endpoints.Endpoint.builder().url(stub).build())));
        return builder.build();
    }

    Created create(String name, String bucket, String vpcId) {
        var created = control.createAccessPoint(r -> {
            r.accountId(account).name(name).bucket(bucket)
                    .publicAccessBlockConfiguration(b -> b.blockPublicAcls(true).ignorePublicAcls(true)
                            .blockPublicPolicy(true).restrictPublicBuckets(true));
            if (vpcId != null) {
                r.vpcConfiguration(v -> v.vpcId(vpcId));
            }
        });
        return new Created(created.accessPointArn(), created.alias());
    }

    void putPolicy(String name, String policy) {
        control.putAccessPointPolicy(r -> r.accountId(account).name(name).policy(policy));
    }

    /** The access point as S3 Control has it, or empty when it has none of that name. */
    Optional<Described> describe(String name) {
        GetAccessPointResponse point;
        try {
            point = control.getAccessPoint(r -> r.accountId(account).name(name));
        } catch (S3ControlException e) {
            if (isNoSuchAccessPoint(e)) {
                return Optional.empty();
            }
            throw e;
        }
        String policy;
        try {
            policy = control.getAccessPointPolicy(r -> r.accountId(account).name(name)).policy();
        } catch (S3ControlException e) {
            if (!"NoSuchAccessPointPolicy".equals(code(e))) {
                throw e;
            }
            policy = null;
        }
        var block = point.publicAccessBlockConfiguration();
        boolean blocks = block != null && Boolean.TRUE.equals(block.blockPublicAcls()) && Boolean.TRUE.equals(block.ignorePublicAcls())
                && Boolean.TRUE.equals(block.blockPublicPolicy()) && Boolean.TRUE.equals(block.restrictPublicBuckets());
        return Optional.of(new Described(point.name(), point.accessPointArn(), point.alias(), point.bucket(),
                point.networkOriginAsString(), point.vpcConfiguration() == null ? null : point.vpcConfiguration().vpcId(),
                policy, blocks));
    }

    /** The account's Object Lambda access points (every page). */
    java.util.List<ObjectLambdaService.ObjectLambdaAccessPoint> listObjectLambda() {
        java.util.List<ObjectLambdaService.ObjectLambdaAccessPoint> found = new java.util.ArrayList<>();
        control.listAccessPointsForObjectLambdaPaginator(r -> r.accountId(account)).objectLambdaAccessPointList()
                .forEach(point -> found.add(new ObjectLambdaService.ObjectLambdaAccessPoint(point.name(),
                        point.objectLambdaAccessPointArn(), point.alias() == null ? null : point.alias().value())));
        return found;
    }

    /** Deletes the access point; one that is already gone is fine. */
    void delete(String name) {
        try {
            control.deleteAccessPoint(r -> r.accountId(account).name(name));
        } catch (S3ControlException e) {
            if (!isNoSuchAccessPoint(e)) {
                throw e;
            }
        }
    }

    static boolean isNoSuchAccessPoint(S3ControlException e) {
        return "NoSuchAccessPoint".equals(code(e));
    }

    static String code(S3ControlException e) {
        return e.awsErrorDetails() == null ? "unknown" : e.awsErrorDetails().errorCode();
    }
}
