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
echo "consumer check: passed"
