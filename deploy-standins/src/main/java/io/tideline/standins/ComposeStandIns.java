package io.tideline.standins;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.iceberg.rest.RestCatalogStandIn;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * The compose stack's MinIO and Iceberg REST catalog, in one JVM, for a test of deploy/tideline.properties:
 * {@code ComposeStandIns <data dir> <s3 port> <rest port> <catalog jdbc url> <jdbc user> <jdbc password>}.
 * An S3 API server (s3proxy on a file-system blob store) holding bucket {@code warehouse} with MinIO's credentials,
 * and Iceberg's REST catalog server whose tables live in a JDBC catalog, their files on that S3. Prints
 * {@code stand-ins ready} once both answer; exits when its parent (the test JVM) is gone.
 */
public final class ComposeStandIns {

    private ComposeStandIns() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("Usage: ComposeStandIns <data dir> <s3 port> <rest port> <catalog jdbc url> <jdbc user> <jdbc password> <parent pid>");
            System.exit(2);
        }
        Path data = Path.of(args[0]);
        int s3Port = Integer.parseInt(args[1]);
        int restPort = Integer.parseInt(args[2]);
        long parent = Long.parseLong(args[6]);

        Path blobs = Files.createDirectories(data.resolve("s3"));
        Properties jclouds = new Properties();
        jclouds.setProperty("jclouds.filesystem.basedir", blobs.toString());
        BlobStoreContext blobStore = ContextBuilder.newBuilder("filesystem").overrides(jclouds).build(BlobStoreContext.class);
        blobStore.getBlobStore().createContainerInLocation(null, "warehouse");
        S3Proxy s3 = S3Proxy.builder()
                .blobStore(blobStore.getBlobStore())
                .endpoint(java.net.URI.create("http://127.0.0.1:" + s3Port))
                .awsAuthentication(org.gaul.s3proxy.AuthenticationType.AWS_V2_OR_V4, "admin", "password")
                .build();
        s3.start();

        Map<String, String> catalog = new LinkedHashMap<>();
        catalog.put("rest.port", Integer.toString(restPort));
        catalog.put("uri", args[3]);
        catalog.put("jdbc.user", args[4]);
        catalog.put("jdbc.password", args[5]);
        catalog.put("warehouse", "s3://warehouse/");
        catalog.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
        catalog.put("s3.endpoint", "http://127.0.0.1:" + s3Port);
        catalog.put("s3.path-style-access", "true");
        catalog.put("s3.access-key-id", "admin");
        catalog.put("s3.secret-access-key", "password");
        catalog.put("client.region", "us-east-1");
        RestCatalogStandIn rest = new RestCatalogStandIn(catalog);
        rest.start();
        System.out.println("stand-ins ready: s3 http://127.0.0.1:" + s3Port + " rest http://127.0.0.1:" + restPort);
        System.out.flush();
        while (ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false)) {
            Thread.sleep(500);
        }
        rest.stop();
        s3.stop();
        System.exit(0);
    }
}
