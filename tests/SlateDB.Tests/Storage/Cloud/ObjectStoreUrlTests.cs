using Amazon.Runtime;
using SlateDB.Storage;
using SlateDB.Storage.Aws;
using SlateDB.Storage.Azure;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>How the adapters read <c>s3://</c> and <c>az://</c> URLs and SlateDB's environment variables (no server needed).</summary>
public sealed class ObjectStoreUrlTests
{
    private static ObjectStoreUrlOptions Environment(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Value);
        return new ObjectStoreUrlOptions { EnvironmentReader = name => values.GetValueOrDefault(name) };
    }

    [Fact]
    public void S3_urls_give_the_bucket_and_prefix_with_their_case_kept()
    {
        var options = S3ObjectStore.OptionsFromUrl("s3://My-Bucket/some/Prefix/", Environment());

        options.Bucket.Should().Be("My-Bucket");
        options.Prefix.Should().Be("some/Prefix");
        options.ServiceUrl.Should().BeNull();
        options.Credentials.Should().BeNull("without keys the SDK's default chain applies");
    }

    [Fact]
    public void S3_settings_come_from_the_variables_SlateDB_reads()
    {
        var options = S3ObjectStore.OptionsFromUrl("s3a://b", Environment(
            ("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "SECRET"), ("AWS_SESSION_TOKEN", "TOKEN"),
            ("AWS_DEFAULT_REGION", "eu-west-1"), ("AWS_ENDPOINT", "http://127.0.0.1:9000"), ("AWS_ALLOW_HTTP", "true"),
            ("AWS_VIRTUAL_HOSTED_STYLE_REQUEST", "false")));

        options.Bucket.Should().Be("b");
        options.Prefix.Should().BeEmpty();
        options.Region.Should().Be("eu-west-1");
        options.ServiceUrl.Should().Be(new Uri("http://127.0.0.1:9000"));
        options.AllowHttp.Should().BeTrue();
        options.ForcePathStyle.Should().BeTrue();
        var credentials = options.Credentials.Should().BeOfType<SessionAWSCredentials>().Subject.GetCredentials();
        credentials.AccessKey.Should().Be("AKID");
        credentials.SecretKey.Should().Be("SECRET");
        credentials.Token.Should().Be("TOKEN");
    }

    [Fact]
    public void S3_refuses_plain_http_unless_allowed_and_half_a_key_pair()
    {
        FluentActions.Invoking(() => S3ObjectStore.FromUrl("s3://b", Environment(("AWS_ENDPOINT_URL", "http://127.0.0.1:1"))))
            .Should().Throw<ArgumentException>().WithMessage("*AWS_ALLOW_HTTP*");
        FluentActions.Invoking(() => S3ObjectStore.OptionsFromUrl("s3://b", Environment(("AWS_ACCESS_KEY_ID", "only"))))
            .Should().Throw<ArgumentException>().WithMessage("*aws_secret_access_key*");
        FluentActions.Invoking(() => S3ObjectStore.OptionsFromUrl("s3:///prefix", Environment()))
            .Should().Throw<ArgumentException>().WithMessage("*no bucket*");
        FluentActions.Invoking(() => S3ObjectStore.OptionsFromUrl("az://c", Environment())).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => S3ObjectStore.OptionsFromUrl("s3://b/a/../c", Environment())).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new S3ObjectStore(new S3ObjectStoreOptions())).Should().Throw<ArgumentException>().WithMessage("*Bucket*");
    }

    [Fact]
    public void Core_FromUrl_finds_both_adapter_packages_by_scheme()
    {
        var s3 = ObjectStores.FromUrl("s3://bucket/p", Environment(
            ("AWS_ACCESS_KEY_ID", "k"), ("AWS_SECRET_ACCESS_KEY", "s"), ("AWS_REGION", "us-east-1")));
        var azure = ObjectStores.FromUrl("az://container/p", Environment(("AZURE_STORAGE_USE_EMULATOR", "true")));

        s3.Should().BeOfType<S3ObjectStore>().Which.ToString().Should().Be("s3://bucket/p/");
        azure.Should().BeOfType<AzureBlobObjectStore>().Which.ToString().Should().Be("az://container/p/");
        ((IDisposable)s3).Dispose();
    }

    [Fact]
    public void Azure_urls_and_variables_give_the_account_endpoint_and_key()
    {
        var options = AzureBlobObjectStore.OptionsFromUrl("az://container/a/b", Environment(
            ("AZURE_STORAGE_ACCOUNT_NAME", "acct"), ("AZURE_STORAGE_ACCESS_KEY", Convert.ToBase64String(new byte[64]))));

        options.Container.Should().Be("container");
        options.Prefix.Should().Be("a/b");
        options.ServiceUri.Should().Be(new Uri("https://acct.blob.core.windows.net"));
        options.SharedKeyCredential!.AccountName.Should().Be("acct");
        options.ConnectionString.Should().BeNull();
    }

    [Fact]
    public void Azure_abfss_urls_name_the_account_and_the_emulator_needs_no_settings()
    {
        var abfss = AzureBlobObjectStore.OptionsFromUrl("abfss://data@acct.dfs.core.windows.net/x", Environment(
            ("AZURE_STORAGE_SAS_TOKEN", "sv=2024&sig=abc")));
        var emulator = AzureBlobObjectStore.OptionsFromUrl("azure://c", Environment(
            ("AZURE_STORAGE_USE_EMULATOR", "1"), ("AZURITE_BLOB_STORAGE_URL", "http://127.0.0.1:12345")));

        abfss.Container.Should().Be("data");
        abfss.ServiceUri.Should().Be(new Uri("https://acct.blob.core.windows.net"));
        abfss.SasCredential.Should().NotBeNull();
        abfss.Prefix.Should().Be("x");
        emulator.ServiceUri.Should().Be(new Uri("http://127.0.0.1:12345/devstoreaccount1"));
        emulator.SharedKeyCredential!.AccountName.Should().Be("devstoreaccount1");
        emulator.AllowHttp.Should().BeTrue();
    }

    [Fact]
    public void Azure_refuses_a_missing_account_plain_http_and_two_credentials()
    {
        FluentActions.Invoking(() => AzureBlobObjectStore.OptionsFromUrl("az://c", Environment()))
            .Should().Throw<ArgumentException>().WithMessage("*AZURE_STORAGE_CONNECTION_STRING*");
        FluentActions.Invoking(() => AzureBlobObjectStore.FromUrl("az://c", Environment(
                ("AZURE_STORAGE_ACCOUNT_NAME", "a"), ("AZURE_STORAGE_ENDPOINT", "http://127.0.0.1:1/a"))))
            .Should().Throw<ArgumentException>().WithMessage("*AZURE_ALLOW_HTTP*");
        FluentActions.Invoking(() => AzureBlobObjectStore.OptionsFromUrl("az://c", Environment(
                ("AZURE_STORAGE_ACCOUNT_NAME", "a"), ("AZURE_STORAGE_ACCOUNT_KEY", "a2V5"), ("AZURE_STORAGE_SAS_KEY", "sig"))))
            .Should().Throw<ArgumentException>().WithMessage("*not both*");
        FluentActions.Invoking(() => AzureBlobObjectStore.OptionsFromUrl("s3://c", Environment())).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new AzureBlobObjectStore(new AzureBlobObjectStoreOptions { Container = "c" }))
            .Should().Throw<ArgumentException>().WithMessage("*ConnectionString or ServiceUri*");
    }
}
