using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.HashiCorpVault.Tests.Rotation;

/// <summary>
/// The KV version 2 rotation target against the fake Vault's documented write semantics: check-and-set, a new version
/// per write, the source only ever reading the current key.
/// </summary>
public sealed class HashiCorpVaultRotationTests : IAsyncLifetime
{
    private static readonly TokenPolicy Rotator = new() { Read = ["secret/data/openai"], Write = ["secret/data/openai"] };

    private VaultTestHost _host = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _host = await VaultTestHost.StartAsync();
        _host.Vault.EnableKv();
        _host.Vault.PutKey("openai", TestKeys.Numbered(1));
        _token = _host.Vault.CreateToken(Rotator);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ReadAsync_KeyPutByHand_HasUnknownIdAndTheVersionsCreationTime()
    {
        var target = CreateTarget();

        var state = await target.ReadAsync(CancellationToken.None);

        target.Name.Should().Be("HashiCorpVault:secret/openai", "the target is named like the source of the same secret");
        state.Version.Should().Be("1");
        state.Current!.KeyId.Should().BeNull("a key put there by hand has no id the rotator knows");
        state.Current.CreatedAt.Should().Be(_host.Time.GetUtcNow(), "its age is the version's");
        state.Pending.Should().BeNull();
        state.Previous.Should().BeNull();
    }

    [Fact]
    public async Task StageThenPromoteThenComplete_SourceReadsOnlyTheCurrentKeyAndOtherFieldsStay()
    {
        var target = CreateTarget();
        var source = _host.CreateSource("openai", o => o.UseToken(_token));
        var newKey = TestKeys.Numbered(2);
        var record = new OpenAIKeyRecord { KeyId = "key_new", ServiceAccountId = "svc_acct_app", CreatedAt = _host.Time.GetUtcNow(), ExpiresAt = _host.Time.GetUtcNow().AddDays(31) };

        var read = await target.ReadAsync(CancellationToken.None);
        (await target.TryStageAsync(read, Pending(newKey, record), CancellationToken.None)).Should().BeTrue();

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(TestKeys.Numbered(1), "a staged key is never served");
        var staged = await target.ReadAsync(CancellationToken.None);
        staged.Version.Should().Be("2");
        staged.Pending!.Key!.Value.Should().Be(newKey, "Vault keeps the staged key, so a rotator that restarts carries on with it");
        staged.Pending.Record!.KeyId.Should().Be("key_new");

        var promotedAt = _host.Time.GetUtcNow();
        (await target.TryPromoteAsync(staged, staged.Pending, promotedAt, CancellationToken.None)).Should().BeTrue();
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(newKey);
        var promoted = await target.ReadAsync(CancellationToken.None);
        promoted.Current!.KeyId.Should().Be("key_new");
        promoted.Current.ExpiresAt.Should().Be(record.ExpiresAt);
        promoted.Previous!.KeyId.Should().BeNull("the replaced key was put there by hand");
        promoted.Previous.CreatedAt.Should().NotBeNull();
        promoted.PreviousSupersededAt.Should().Be(promotedAt);
        promoted.Pending.Should().BeNull();

        (await target.TryCompleteAsync(promoted, CancellationToken.None)).Should().BeTrue();
        var completed = await target.ReadAsync(CancellationToken.None);
        completed.Previous.Should().BeNull();
        completed.Current!.KeyId.Should().Be("key_new");

        var data = _host.Vault.ReadKv2("openai")!.Value.Data;
        data["owner"]!.GetValue<string>().Should().Be("team-ai", "the secret's other fields are written back as they were");
        data["keyvaulting"]!["key_id"]!.GetValue<string>().Should().Be("key_new", "the key id is kept in the secret's data");
        _host.ShouldNotLeakSecrets(more: [newKey]);
    }

    [Fact]
    public async Task TryStageAsync_TwoRotatorsFromTheSameVersion_ExactlyOneWrites()
    {
        var first = CreateTarget();
        var second = CreateTarget();
        var read = await first.ReadAsync(CancellationToken.None);

        var results = await Task.WhenAll(
            first.TryStageAsync(read, Claim("first"), CancellationToken.None).AsTask(),
            second.TryStageAsync(read, Claim("second"), CancellationToken.None).AsTask());

        results.Count(r => r).Should().Be(1, "check-and-set lets exactly one of two writes of the same version through");
        _host.Vault.CasRejections.Should().Be(1);
        var state = await first.ReadAsync(CancellationToken.None);
        state.Pending!.ClaimedBy.Should().Be(results[0] ? "first" : "second");
        _host.Server.Requests.Where(r => r.Method == "POST").Should().OnlyContain(r => r.Path == "secret/data/openai" && r.Token == _token);
    }

    [Fact]
    public async Task TryPromoteAsync_SecretChangedSinceRead_ReturnsFalseAndLeavesTheKey()
    {
        var target = CreateTarget();
        var read = await target.ReadAsync(CancellationToken.None);
        (await target.TryStageAsync(read, Pending(TestKeys.Numbered(2), new OpenAIKeyRecord { KeyId = "key_new" }), CancellationToken.None)).Should().BeTrue();
        var staged = await target.ReadAsync(CancellationToken.None);
        _host.Vault.PutKey("openai", TestKeys.Numbered(3)); // someone writes by hand meanwhile

        var promoted = await target.TryPromoteAsync(staged, staged.Pending!, _host.Time.GetUtcNow(), CancellationToken.None);

        promoted.Should().BeFalse();
        _host.Vault.ReadKv2("openai")!.Value.Data["api_key"]!.GetValue<string>().Should().Be(TestKeys.Numbered(3));
    }

    [Fact]
    public async Task ReadAsync_KeyPatchedByHandAfterARotation_RecordNoLongerDescribesIt()
    {
        var target = CreateTarget();
        var read = await target.ReadAsync(CancellationToken.None);
        (await target.TryStageAsync(read, Pending(TestKeys.Numbered(2), new OpenAIKeyRecord { KeyId = "key_new" }), CancellationToken.None)).Should().BeTrue();
        var staged = await target.ReadAsync(CancellationToken.None);
        (await target.TryPromoteAsync(staged, staged.Pending!, _host.Time.GetUtcNow(), CancellationToken.None)).Should().BeTrue();

        // vault kv patch secret/openai api_key=…: the keyvaulting field stays, the key changes.
        var (data, _) = _host.Vault.ReadKv2("openai")!.Value;
        data["api_key"] = TestKeys.Numbered(9);
        _host.Vault.PutKv2("secret", "openai", data.ToDictionary(p => p.Key, p => (object?)(p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.DeepClone())));

        var state = await target.ReadAsync(CancellationToken.None);

        state.Current!.KeyId.Should().BeNull("the record was written for another key");
    }

    [Fact]
    public async Task TryStageAsync_TokenMayOnlyRead_FailsNamingTheCapabilitiesWithoutSecrets()
    {
        var readOnly = _host.Vault.CreateToken(new TokenPolicy { Read = ["secret/data/openai"] });
        var target = HashiCorpVaultRotation.CreateTarget(_host.Services, "openai", o =>
        {
            o.Address = _host.Server.Address;
            o.UseToken(readOnly);
        });
        var read = await target.ReadAsync(CancellationToken.None);

        var act = () => target.TryStageAsync(read, Claim("me"), CancellationToken.None).AsTask();

        var failure = (await act.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
        failure.SourceName.Should().Be("HashiCorpVault:secret/openai");
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("path \"secret/data/openai\"").And.Contain("\"create\"").And.Contain("\"update\"");
        _host.ShouldNotLeakSecrets(failure, readOnly);
    }

    [Fact]
    public async Task ReadAsync_NoSecretYet_IsVersionZeroAndTheFirstClaimCreatesIt()
    {
        var target = HashiCorpVaultRotation.CreateTarget(_host.Services, "fresh", o =>
        {
            o.Address = _host.Server.Address;
            o.UseToken(_host.Vault.CreateToken(new TokenPolicy { Read = ["secret/data/fresh"], Write = ["secret/data/fresh"] }));
        });

        var state = await target.ReadAsync(CancellationToken.None);

        state.Version.Should().Be("0");
        state.Current.Should().BeNull();
        (await target.TryStageAsync(state, Claim("me"), CancellationToken.None)).Should().BeTrue("cas 0 writes only a secret that does not exist");
        (await target.TryStageAsync(state, Claim("other"), CancellationToken.None)).Should().BeFalse();
    }

    [Theory]
    [InlineData(1, null, "KV version 2")]
    [InlineData(2, 3, "Version")]
    public void CreateTarget_SecretThatCannotBeRotated_ThrowsNamingTheSetting(int kvVersion, int? version, string named)
    {
        var act = () => HashiCorpVaultRotation.CreateTarget(_host.Services, "openai", o =>
        {
            o.Address = _host.Server.Address;
            o.KvVersion = kvVersion;
            o.Version = version;
        });

        act.Should().Throw<ArgumentException>().WithMessage($"*{named}*");
    }

    [Fact]
    public void Factory_Configuration_CreatesTheTargetOfTheSourcesSettings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Target:Type"] = "HashiCorpVault",
            ["Target:Path"] = "openai",
            ["Target:Address"] = _host.Server.Address.ToString(),
            ["Target:MountPoint"] = "secret",
        }).Build();

        var target = new HashiCorpVaultRotationTargetFactory().Create(new OpenAIKeySourceFactoryContext("rotation", configuration.GetSection("Target"), _host.Services));

        target.Name.Should().Be("HashiCorpVault:secret/openai");
        new HashiCorpVaultRotationTargetFactory().TypeName.Should().Be("HashiCorpVault");
    }

    [Fact]
    public void Factory_TokenInConfiguration_IsRefusedWithoutRepeatingIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Target:Path"] = "openai",
            ["Target:Token"] = "hvs.not-a-real-token",
        }).Build();

        var act = () => new HashiCorpVaultRotationTargetFactory().Create(new OpenAIKeySourceFactoryContext("rotation", configuration.GetSection("Target"), _host.Services));

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("Target:Token").And.NotContain("hvs.not-a-real-token");
    }

    private IOpenAIKeyRotationTarget CreateTarget() => HashiCorpVaultRotation.CreateTarget(_host.Services, "openai", o =>
    {
        o.Address = _host.Server.Address;
        o.UseToken(_token);
    });

    private OpenAIKeyRotationPending Claim(string by) => new() { RotationId = Guid.NewGuid().ToString(), StartedAt = _host.Time.GetUtcNow(), ClaimedBy = by };

    private OpenAIKeyRotationPending Pending(string key, OpenAIKeyRecord record) => new()
    {
        RotationId = Guid.NewGuid().ToString(),
        StartedAt = _host.Time.GetUtcNow(),
        ClaimedBy = "me",
        Key = new OpenAIKey(key, "test"),
        Record = record,
    };
}
