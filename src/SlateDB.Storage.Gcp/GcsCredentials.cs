using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Google.Cloud.Storage.V1;

namespace SlateDB.Storage.Gcp;

/// <summary>Builds the Google client from <see cref="GcsObjectStoreOptions"/>: endpoint, credentials and timeout.</summary>
internal static class GcsCredentials
{
    /// <summary>The JSON API's path under the service root.</summary>
    private const string JsonApiPath = "storage/v1/";

    public static StorageClient CreateClient(GcsObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = new StorageClientBuilder { EmulatorDetection = Google.Api.Gax.EmulatorDetection.None };
        if (options.Endpoint is { } endpoint)
        {
            builder.BaseUri = BaseUri(endpoint).AbsoluteUri;
        }

        if (options.Anonymous)
        {
            builder.UnauthenticatedAccess = true;
        }
        else if (Resolve(options) is { } credential)
        {
            builder.GoogleCredential = credential;
        }

        var client = builder.Build();
        if (options.RequestTimeout is { } timeout)
        {
            client.Service.HttpClient.Timeout = timeout;
        }

        return client;
    }

    /// <summary>The client's base URI for a service root: <c>http://host:port/</c> becomes <c>http://host:port/storage/v1/</c>.</summary>
    public static Uri BaseUri(Uri endpoint)
    {
        var text = endpoint.AbsoluteUri;
        if (text.EndsWith("/" + JsonApiPath, StringComparison.Ordinal))
        {
            return endpoint;
        }

        return new Uri(text.TrimEnd('/') + "/" + JsonApiPath);
    }

    /// <summary>The credential the options name, or null for the application default credentials.</summary>
    private static GoogleCredential? Resolve(GcsObjectStoreOptions options)
    {
        if (options.Credential is { } credential)
        {
            return credential;
        }

        if (options.ServiceAccountKeyJson is { } key)
        {
            return FromJson(key, "service account key", expectedType: "service_account");
        }

        if (options.ServiceAccountPath is { } path)
        {
            return FromJson(ReadFile(path, "service account"), $"service account file '{path}'", expectedType: "service_account");
        }

        if (options.ApplicationCredentialsPath is { } applicationPath)
        {
            return FromJson(ReadFile(applicationPath, "application credentials"), $"application credentials file '{applicationPath}'", expectedType: null);
        }

        return null;
    }

    /// <summary>Reads a credentials file.</summary>
    /// <exception cref="ArgumentException">The file cannot be read.</exception>
    public static string ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ArgumentException($"The {what} file '{path}' cannot be read: {exception.Message}", nameof(path), exception);
        }
    }

    /// <summary>The <c>type</c> of a credentials JSON document, or null when it has none.</summary>
    /// <exception cref="ArgumentException">The text is not a JSON object.</exception>
    public static string? TypeOf(string json, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"The {what} is not a JSON object.", nameof(json));
            }

            return document.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        }
        catch (JsonException exception)
        {
            throw new ArgumentException($"The {what} is not valid JSON: {exception.Message}", nameof(json), exception);
        }
    }

    private static GoogleCredential FromJson(string json, string what, string? expectedType)
    {
        var type = TypeOf(json, what)
            ?? throw new ArgumentException($"The {what} has no \"type\" field.", nameof(json));
        if (expectedType is not null && type != expectedType)
        {
            throw new ArgumentException($"The {what} is of type '{type}', not '{expectedType}'.", nameof(json));
        }

        try
        {
            return CredentialFactory.FromJson(json, type);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            throw new ArgumentException($"The {what} cannot be used: {exception.Message}", nameof(json), exception);
        }
    }
}
