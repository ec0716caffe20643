package io.gatehouse.uploads;

import io.quarkus.security.PermissionsAllowed;
import io.gatehouse.catalog.ContentAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUsers;
import io.vertx.core.http.HttpServerRequest;

/**
 * Uppy's S3 plugin speaks S3 for every step of a multipart upload. The steps that must happen server-side —
 * creating, listing, completing and aborting the upload — are answered here in S3's own XML, so the stock plugin
 * works unchanged while Gatehouse keeps control; only the part PUTs go to S3 (with URLs signed by Gatehouse).
 */
@Path("/api/uploads/{id}/s3")
// Content is for people who use it: an auditor-only account sees the audit trail and nothing else.
@PermissionsAllowed(ContentAccess.USE_CONTENT)
public class UppyBridgeResource {

    private static final Pattern PART = Pattern.compile(
            "<Part>\\s*<PartNumber>(\\d+)</PartNumber>\\s*<ETag>([^<]*)</ETag>\\s*</Part>");

    private final UploadService uploads;
    private final CurrentUsers users;

    UppyBridgeResource(UploadService uploads, CurrentUsers users) {
        this.uploads = uploads;
        this.users = users;
    }

    /** CreateMultipartUpload: Gatehouse created it when the upload was declared; hand out its id. */
    @POST
    @Path("initiate")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_XML)
    public String initiate(@PathParam("id") String id, @Context HttpServerRequest http) {
        UploadSession session = uploads.openedMultipart(users.current(), UploadResource.uuid(id), RequestOrigin.of(http));
        return "<InitiateMultipartUploadResult><Bucket>" + xml(session.bucket) + "</Bucket><Key>" + xml(session.objectKey)
                + "</Key><UploadId>" + xml(session.multipartUploadId) + "</UploadId></InitiateMultipartUploadResult>";
    }

    @GET
    @Path("parts")
    @Produces(MediaType.APPLICATION_XML)
    public String listParts(@PathParam("id") String id) {
        StringBuilder xml = new StringBuilder("<ListPartsResult>");
        for (UploadService.UploadedPart part : uploads.uploadedParts(uploads.mine(users.current(), UploadResource.uuid(id)))) {
            xml.append("<Part><PartNumber>").append(part.partNumber()).append("</PartNumber><ETag>")
                    .append(xml(part.etag())).append("</ETag><Size>").append(part.size()).append("</Size></Part>");
        }
        return xml.append("</ListPartsResult>").toString();
    }

    /** CompleteMultipartUpload: completed server-side from the reported parts, then verified like any upload. */
    @POST
    @Path("complete")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_XML)
    public Response complete(@PathParam("id") String id, @QueryParam("sha256") String sha256, String body,
            @Context HttpServerRequest http) {
        List<UploadService.UploadedPart> parts = new ArrayList<>();
        Matcher matcher = PART.matcher(body == null ? "" : body);
        while (matcher.find()) {
            parts.add(new UploadService.UploadedPart(Integer.parseInt(matcher.group(1)),
                    matcher.group(2).replace("&quot;", "\""), 0));
        }
        UploadService.Completion completion = uploads.complete(users.current(), UploadResource.uuid(id), parts, sha256,
                RequestOrigin.of(http));
        UploadSession session = completion.session();
        if (session.status != UploadSession.Status.VERIFIED) {
            return Response.status(UploadResource.status(completion)).entity("<Error><Code>UploadRejected</Code><Message>"
                    + xml(session.rejectReason == null ? session.status.name() : session.rejectReason) + "</Message></Error>").build();
        }
        return Response.ok("<CompleteMultipartUploadResult><Location>/uploads</Location><Bucket>" + xml(session.bucket)
                + "</Bucket><Key>" + xml(session.objectKey) + "</Key></CompleteMultipartUploadResult>").build();
    }

    @DELETE
    public Response abort(@PathParam("id") String id, @Context HttpServerRequest http) {
        uploads.abort(users.current(), UploadResource.uuid(id), RequestOrigin.of(http));
        return Response.noContent().build();
    }

    private static String xml(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
