using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KeyVaulting.Rotation.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Rotation.Internal.Admin;

/// <summary>
/// The calls the rotator makes to the OpenAI Admin API (project service accounts and API keys), over the named
/// <see cref="HttpClient"/> <see cref="OpenAIKeyRotationOptions.HttpClientName"/>: no redirects, no request logging,
/// answers capped at <see cref="MaxResponseBytes"/>, errors reduced to status, <c>type</c> and <c>code</c>.
/// </summary>
/// <remarks>
/// The admin key is read from its own provider for every call and must start with <c>sk-admin-</c>. When OpenAI
/// answers 401, the provider is refreshed once and the call is sent again with a newer admin key, as the OpenAI
/// client wiring does for project keys.
/// </remarks>
internal sealed class OpenAIAdminClient
{
    public const int MaxResponseBytes = 1024 * 1024;
    public const string AdminKeyPrefix = "sk-admin-";

    private const int PageSize = 100;
    private const int MaxPages = 100;

    private readonly Func<HttpClient> _http;
    private readonly Uri _baseAddress;
    private readonly IOpenAIKeyProvider _adminKeys;
    private readonly string _adminProviderName;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public OpenAIAdminClient(Func<HttpClient> http, Uri baseAddress, IOpenAIKeyProvider adminKeys, string adminProviderName, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        _http = http;
        _baseAddress = WithTrailingSlash(baseAddress);
        _adminKeys = adminKeys;
        _adminProviderName = adminProviderName;
        _timeout = timeout;
        _time = time;
        _logger = logger;
    }

    /// <summary>Mints a key for a service account (<c>POST …/service_accounts/{id}/api_keys</c>).</summary>
    public async Task<MintedKey> CreateServiceAccountKeyAsync(string projectId, string serviceAccountId, string name, long? expiresInSeconds, IReadOnlyCollection<string> scopes, CancellationToken cancellationToken)
    {
        var path = $"organization/projects/{Escape(projectId)}/service_accounts/{Escape(serviceAccountId)}/api_keys";
        var answer = await CreateAsync("create service account key", path, expiresInSeconds, expires =>
        {
            var body = new JsonObject { ["name"] = name };
            if (scopes.Count > 0)
            {
                body["scopes"] = new JsonArray([.. scopes.Select(s => (JsonNode)JsonValue.Create(s))]);
            }

            if (expires is { } seconds)
            {
                body["expires_in_seconds"] = seconds;
            }

            return body;
        }, cancellationToken).ConfigureAwait(false);

        if (!answer.IsSuccess)
        {
            throw Failure("create", "create a key for service account " + serviceAccountId, answer, notFound: $"Project {projectId} or service account {serviceAccountId} was not found: check ProjectId and ServiceAccountId (svc_acct_…).");
        }

        using var document = Parse("create", answer);
        return ReadKey(document.RootElement, serviceAccountId, "create", name);
    }

    /// <summary>Creates a service account with its first key (<c>POST …/service_accounts</c>).</summary>
    public async Task<MintedKey> CreateServiceAccountAsync(string projectId, string name, long? expiresInSeconds, CancellationToken cancellationToken)
    {
        var path = $"organization/projects/{Escape(projectId)}/service_accounts";
        var answer = await CreateAsync("create service account", path, expiresInSeconds, expires =>
        {
            var body = new JsonObject { ["name"] = name };
            if (expires is { } seconds)
            {
                body["expires_in_seconds"] = seconds;
            }

            return body;
        }, cancellationToken).ConfigureAwait(false);

        if (!answer.IsSuccess)
        {
            throw Failure("create", "create a service account", answer, notFound: $"Project {projectId} was not found: check ProjectId (proj_…).");
        }

        using var document = Parse("create", answer);
        var root = document.RootElement;
        var accountId = RequiredString(root, "id", "create");
        if (!root.TryGetProperty("api_key", out var apiKey) || apiKey.ValueKind != JsonValueKind.Object)
        {
            throw new OpenAIKeyRotationException(
                "create",
                $"OpenAI created service account {accountId} without an API key (api_key is null), so it cannot be used for rotation; delete it in the dashboard. The rotator never asks for create_service_account_only.",
                isTransient: false,
                statusCode: answer.Status);
        }

        return ReadKey(apiKey, accountId, "create", name);
    }

    /// <summary>Deletes a project API key, also a service account's (<c>DELETE …/api_keys/{id}</c>).</summary>
    public async Task<DeleteOutcome> DeleteApiKeyAsync(string projectId, string keyId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync("revoke", "delete API key", HttpMethod.Delete, $"organization/projects/{Escape(projectId)}/api_keys/{Escape(keyId)}", null, cancellationToken).ConfigureAwait(false);
        return answer.Status switch
        {
            >= 200 and < 300 => DeleteOutcome.Deleted,
            404 => DeleteOutcome.NotFound,
            400 => DeleteOutcome.Refused,
            _ => throw Failure("revoke", $"delete API key {keyId}", answer, notFound: null),
        };
    }

    /// <summary>Deletes a service account and with it every key it owns (<c>DELETE …/service_accounts/{id}</c>).</summary>
    public async Task<DeleteOutcome> DeleteServiceAccountAsync(string projectId, string serviceAccountId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync("revoke", "delete service account", HttpMethod.Delete, $"organization/projects/{Escape(projectId)}/service_accounts/{Escape(serviceAccountId)}", null, cancellationToken).ConfigureAwait(false);
        return answer.Status switch
        {
            >= 200 and < 300 => DeleteOutcome.Deleted,
            404 => DeleteOutcome.NotFound,
            _ => throw Failure("revoke", $"delete service account {serviceAccountId}", answer, notFound: null),
        };
    }

    /// <summary>Lists a project's API keys, every page (<c>GET …/api_keys?limit=100&amp;after=…</c>).</summary>
    public async Task<IReadOnlyList<ProjectApiKeyInfo>> ListApiKeysAsync(string projectId, CancellationToken cancellationToken)
    {
        var keys = new List<ProjectApiKeyInfo>();
        string? after = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"organization/projects/{Escape(projectId)}/api_keys?limit={PageSize}");
            if (after is not null)
            {
                path += "&after=" + Escape(after);
            }

            var answer = await SendAsync("cleanup", "list API keys", HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
            if (!answer.IsSuccess)
            {
                throw Failure("cleanup", "list the project's API keys", answer, notFound: $"Project {projectId} was not found: check ProjectId (proj_…).");
            }

            using var document = Parse("cleanup", answer);
            var root = document.RootElement;
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                throw Malformed("cleanup", "data");
            }

            foreach (var item in data.EnumerateArray())
            {
                keys.Add(ReadListedKey(item));
            }

            var hasMore = root.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True;
            var lastId = root.TryGetProperty("last_id", out var last) && last.ValueKind == JsonValueKind.String ? last.GetString() : null;
            if (!hasMore || lastId is null || lastId == after)
            {
                return keys;
            }

            after = lastId;
        }

        return keys;
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static Uri WithTrailingSlash(Uri uri)
        => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static JsonDocument Parse(string step, AdminAnswer answer)
    {
        try
        {
            return JsonDocument.Parse(answer.Body);
        }
        catch (JsonException)
        {
            throw new OpenAIKeyRotationException(step, $"The OpenAI Admin API answered {answer.Status} with a body that is not JSON; check AdminEndpoint (a proxy may be answering).", isTransient: true, statusCode: answer.Status);
        }
    }

    private static OpenAIKeyRotationException Malformed(string step, string field)
        => new(step, $"The OpenAI Admin API answer has no usable '{field}'; check AdminEndpoint, or whether the API changed.", isTransient: false);

    private static string RequiredString(JsonElement element, string name, string step)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw Malformed(step, name);

    private static DateTimeOffset? UnixTime(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static MintedKey ReadKey(JsonElement element, string serviceAccountId, string step, string requestedName)
    {
        var value = RequiredString(element, "value", step);
        if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw Malformed(step, "value");
        }

        var record = new OpenAIKeyRecord
        {
            KeyId = RequiredString(element, "id", step),
            ServiceAccountId = serviceAccountId,
            CreatedAt = UnixTime(element, "created_at"),
            ExpiresAt = UnixTime(element, "expires_at"),
        };
        var name = element.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : requestedName;
        return new MintedKey(value, name, record);
    }

    private static ProjectApiKeyInfo ReadListedKey(JsonElement item)
    {
        var id = RequiredString(item, "id", "cleanup");
        var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? string.Empty : string.Empty;
        var created = UnixTime(item, "created_at") ?? DateTimeOffset.UnixEpoch;
        string? ownerType = null, accountId = null, accountName = null;
        if (item.TryGetProperty("owner", out var owner) && owner.ValueKind == JsonValueKind.Object)
        {
            ownerType = owner.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (owner.TryGetProperty("service_account", out var account) && account.ValueKind == JsonValueKind.Object)
            {
                accountId = account.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                accountName = account.TryGetProperty("name", out var an) && an.ValueKind == JsonValueKind.String ? an.GetString() : null;
            }
        }

        return new ProjectApiKeyInfo(id, name, created, ownerType, accountId, accountName);
    }

    private async Task<AdminAnswer> CreateAsync(string operation, string path, long? expiresInSeconds, Func<long?, JsonObject> body, CancellationToken cancellationToken)
    {
        var answer = await SendAsync("create", operation, HttpMethod.Post, path, body(expiresInSeconds), cancellationToken).ConfigureAwait(false);
        if (expiresInSeconds is not null && answer.Status == 400 && answer.Error.Param == "expires_in_seconds")
        {
            // An API that does not know key expiry yet: the key is minted without it, and the rotator's orphan
            // clean-up is the only safety net.
            Log.KeyExpiryNotSupported(_logger, operation);
            answer = await SendAsync("create", operation, HttpMethod.Post, path, body(null), cancellationToken).ConfigureAwait(false);
        }

        return answer;
    }

    private OpenAIKeyRotationException Failure(string step, string what, AdminAnswer answer, string? notFound)
    {
        var error = answer.Error;
        var prefix = string.Create(CultureInfo.InvariantCulture, $"The OpenAI Admin API refused to {what}: HTTP {answer.Status} ({error.Describe()}). ");
        var (fix, transient) = answer.Status switch
        {
            401 => ($"The admin key from key provider '{_adminProviderName}' was rejected: put a valid admin key (sk-admin-…) of the organization that owns the project in that provider's store.", false),
            403 => ("The admin key lacks a permission: give it write access to project API keys and service accounts (Admin API key permissions in the OpenAI dashboard).", false),
            404 => (notFound ?? "Check ProjectId and ServiceAccountId.", false),
            408 or 409 or 429 => ("OpenAI is busy or throttling; the next run retries.", true),
            >= 500 => ("OpenAI had a server error; the next run retries.", true),
            _ => ("Check the rotation's settings (ProjectId, ServiceAccountId, Scopes, KeyLifetime).", false),
        };
        return new OpenAIKeyRotationException(step, prefix + fix, transient, answer.Status, error.Type, error.Code);
    }

    private async Task<AdminAnswer> SendAsync(string step, string operation, HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var adminKey = await GetAdminKeyAsync(step, refresh: false, cancellationToken).ConfigureAwait(false);
        var answer = await SendOnceAsync(step, operation, method, path, body, adminKey, cancellationToken).ConfigureAwait(false);
        if (answer.Status == 401)
        {
            // The admin key may have been rotated in its store: read it again, and resend once with a newer one.
            var refreshed = await GetAdminKeyAsync(step, refresh: true, cancellationToken).ConfigureAwait(false);
            if (refreshed != adminKey)
            {
                answer = await SendOnceAsync(step, operation, method, path, body, refreshed, cancellationToken).ConfigureAwait(false);
            }
        }

        return answer;
    }

    private async Task<OpenAIKey> GetAdminKeyAsync(string step, bool refresh, CancellationToken cancellationToken)
    {
        OpenAIKey key;
        try
        {
            key = refresh
                ? await _adminKeys.RefreshAsync(cancellationToken).ConfigureAwait(false)
                : await _adminKeys.GetKeyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OpenAIKeyUnavailableException ex)
        {
            throw new OpenAIKeyRotationException(step, $"Key provider '{_adminProviderName}' has no admin key: {ex.Message}", isTransient: true, innerException: ex);
        }

        if (!key.Value.StartsWith(AdminKeyPrefix, StringComparison.Ordinal))
        {
            throw new OpenAIKeyRotationException(
                step,
                $"The key {key.Fingerprint} from {key.Source} (key provider '{_adminProviderName}') is not an OpenAI admin key: the rotator mints and revokes keys with an admin key (sk-admin-…) and refuses any other. Put an admin key of the organization in that provider's store; a project key must never be used there.",
                isTransient: false);
        }

        return key;
    }

    private async Task<AdminAnswer> SendOnceAsync(string step, string operation, HttpMethod method, string path, JsonObject? body, OpenAIKey adminKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_baseAddress, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey.Value);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await _http().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                throw new OpenAIKeyRotationException(step, string.Create(CultureInfo.InvariantCulture, $"The OpenAI Admin API at {_baseAddress} answered a redirect (HTTP {status}) to {operation}, which is not followed: the admin key must not travel to another address. Set AdminEndpoint to the API's own address."), isTransient: false, statusCode: status);
            }

            var content = await HttpContentReader.ReadCappedAsync(response.Content, MaxResponseBytes, linked.Token).ConfigureAwait(false)
                ?? throw new OpenAIKeyRotationException(step, string.Create(CultureInfo.InvariantCulture, $"The OpenAI Admin API's answer to {operation} is larger than {MaxResponseBytes / 1024} KiB and was not read; check AdminEndpoint (a proxy may be answering)."), isTransient: true, statusCode: status);
            Log.AdminCall(_logger, operation, status, _time.GetElapsedTime(started));
            return new AdminAnswer(status, content);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OpenAIKeyRotationException(step, string.Create(CultureInfo.InvariantCulture, $"The OpenAI Admin API did not answer {operation} within {_timeout} (RequestTimeout); the next run retries."), isTransient: true, innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            // The exception's message names the host and the socket error only; it carries no header.
            throw new OpenAIKeyRotationException(step, $"The OpenAI Admin API at {_baseAddress} could not be reached to {operation} ({ex.HttpRequestError}); the next run retries.", isTransient: true, innerException: ex);
        }
    }
}
