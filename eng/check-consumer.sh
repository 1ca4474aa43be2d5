#!/usr/bin/env bash
# Builds eng/consumer — an app outside the repository that references the four packages — for net8.0 and net10.0 with
# warnings as errors, restoring the KeyVaulting packages only from FEED (the folder `dotnet pack` wrote).
# Usage: eng/check-consumer.sh FEED
set -euo pipefail
feed="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
version="$(ls "$feed"/KeyVaulting.[0-9]*.nupkg | head -n 1 | sed -E 's/.*KeyVaulting\.([0-9].*)\.nupkg/\1/')"
extensions="$(sed -nE 's/.*<MicrosoftExtensionsVersion>([^<]+)<.*/\1/p' "$here/../Directory.Packages.props")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/consumer/Consumer.csproj" "$here/consumer/Program.cs" "$work/"
# Outside the repository: none of its Directory.*.props apply. A private packages folder, so that a package of the
# same version cached by an earlier pack is never used instead of FEED's; the machine's global folder is only a source.
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources>
    <add key="keyvaulting-feed" value="$feed" />
    <add key="machine-cache" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="keyvaulting-feed"><package pattern="KeyVaulting*" /></packageSource>
    <packageSource key="machine-cache"><package pattern="*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
echo "consumer check: KeyVaulting $version from $feed, net8.0 and net10.0, warnings as errors"
dotnet build "$work/Consumer.csproj" -c Release -p:KeyVaultingVersion="$version" -p:MicrosoftExtensionsVersion="$extensions" -nologo -clp:NoSummary "${@:2}"
echo "consumer check: the app builds"

# Trim-safe store discovery: the store packages' build targets declare them in the app (OpenAIKeyStoreAttribute), and
# the factories they name survive trimming. Run the app as built, then trimmed (self-contained, net8.0: the runtime
# pack the machine has), and expect the three stores' source and rotation target factories from both.
expected="$(printf '%s\n' \
  'AwsSecretsManagerKeySourceOptions: rotation target AwsSecretsManager' 'AwsSecretsManagerKeySourceOptions: source AwsSecretsManager' \
  'AzureKeyVaultKeySourceOptions: rotation target AzureKeyVault' 'AzureKeyVaultKeySourceOptions: source AzureKeyVault' \
  'HashiCorpVaultKeySourceOptions: rotation target HashiCorpVault' 'HashiCorpVaultKeySourceOptions: source HashiCorpVault')"
declared="$(dotnet "$work/bin/Release/net10.0/Consumer.dll" --declared-stores | sort)"
[ "$declared" = "$expected" ] || { echo "$declared"; echo "consumer check: the app does not declare the three stores"; exit 1; }
rid="${KEYVAULTING_CONSUMER_RID:-linux-x64}"
# Trim warnings of the dependencies (Azure, AWS, OpenAI SDKs: docs/architecture.md lists them) are shown, not fatal; one
# from a KeyVaulting assembly fails the check.
trimlog="$work/trim.log"
dotnet publish "$work/Consumer.csproj" -c Release -f net8.0 -r "$rid" --self-contained -p:PublishTrimmed=true -p:KeyVaultingVersion="$version" \
  -p:MicrosoftExtensionsVersion="$extensions" -p:TreatWarningsAsErrors=false -p:MSBuildTreatWarningsAsErrors=false \
  -o "$work/trimmed" -nologo "${@:2}" > "$trimlog" 2>&1 || { cat "$trimlog"; echo "consumer check: the trimmed publish failed"; exit 1; }
grep -oE "warning IL[0-9]+: [^[]*" "$trimlog" | sort -u || true
if grep -E "warning IL[0-9]+: (KeyVaulting|Assembly 'KeyVaulting)" "$trimlog"; then
  echo "consumer check: a KeyVaulting assembly has trim warnings"; exit 1
fi
declared="$("$work/trimmed/Consumer" --declared-stores | sort)"
[ "$declared" = "$expected" ] || { echo "$declared"; echo "consumer check: the trimmed app lost a store factory"; exit 1; }
echo "consumer check: the app declares the three stores, and their factories survive trimming ($(grep -cE "warning IL[0-9]+" "$trimlog" || true) trim warning(s) in the publish, none from KeyVaulting)"

# The analyzer ships inside the KeyVaulting package: the same app with a hard-coded key (generated here, never
# committed) and one in appsettings.json must get KV0001, KV0002 and KV0003 from the packed package.
key="sk-proj-$(python3 -c 'import secrets,string; a=string.ascii_letters+string.digits; print("".join(secrets.choice(a) for _ in range(48)))')"
cat > "$work/HardCoded.cs" <<CS
static class HardCoded
{
    public static OpenAI.OpenAIClient Client() => new("$key");
}
CS
printf '{ "OpenAI": { "ApiKey": "%s" } }\n' "$key" > "$work/appsettings.json"
log="$work/analyzer.log"
dotnet build "$work/Consumer.csproj" -c Release -f net10.0 --no-incremental -p:KeyVaultingVersion="$version" -p:MicrosoftExtensionsVersion="$extensions" \
  -p:TreatWarningsAsErrors=false -p:MSBuildTreatWarningsAsErrors=false -nologo > "$log" 2>&1 || { cat "$log"; echo "consumer check: the app with a hard-coded key did not build"; exit 1; }
for id in KV0001 KV0002 KV0003; do
  grep -q "warning $id" "$log" || { grep -E "warning|error" "$log" | sort -u; echo "consumer check: the packed analyzer did not report $id"; exit 1; }
done
if grep -qF "$key" "$log"; then
  echo "consumer check: a diagnostic repeated the key"; exit 1
fi
echo "consumer check: the packed analyzer reports KV0001, KV0002 and KV0003 without repeating the key"
echo "consumer check: passed"
