#!/usr/bin/env bash
# Packs every library to a local feed (with a unique pre-release version, so no cached copy is used) and restores and
# builds a consumer project that pins Microsoft.Extensions.Logging.Abstractions 10.0.0, with warnings as errors: a
# NU1605 downgrade, a missing README or a missing symbols package fails it. Prints "package check passed" at the end.
# Usage: bash scripts/package-check.sh [--no-build]   (scripts/test.sh runs it with --no-build after its build;
# without --no-build each package is built with -p:ContinuousIntegrationBuild=true, for deterministic PDB paths)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/slatedb-package-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
version="0.1.0-check.$(date +%s)"
feed="$work/feed"
pack_args=(-p:ContinuousIntegrationBuild=true)
[ "${1:-}" = "--no-build" ] && pack_args=(--no-build)

for project in SlateDB SlateDB.Extensions.Hosting SlateDB.Storage.Aws SlateDB.Storage.Azure SlateDB.Storage.Gcp SlateDB.Testing; do
  dotnet pack "$root/src/$project/$project.csproj" -c Release -nologo -clp:ErrorsOnly -o "$feed" \
    -p:Version="$version" "${pack_args[@]}" >"$work/pack-$project.log" 2>&1 \
    || { cat "$work/pack-$project.log"; echo "pack of $project failed"; exit 1; }
  nupkg="$feed/$project.$version.nupkg"
  [ -f "$feed/$project.$version.snupkg" ] || { echo "no symbols package for $project"; exit 1; }
  listing=$(unzip -l "$nupkg")
  grep -q " README.md$" <<<"$listing" || { echo "no README in $project"; exit 1; }
done

mkdir -p "$work/consumer"
cat >"$work/consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.Extensions.Logging.Abstractions" Version="10.0.0" />
    <PackageReference Include="SlateDB" Version="$version" />
    <PackageReference Include="SlateDB.Extensions.Hosting" Version="$version" />
  </ItemGroup>
</Project>
XML
cat >"$work/consumer/Program.cs" <<'CS'
using SlateDB;
using SlateDB.Storage;

await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore());
await db.PutAsync("k", "v");
Console.WriteLine(await db.GetAsync("k"));
CS
# Outside the repository: its Directory.*.props must not apply to the consumer.
cat >"$work/consumer/nuget.config" <<XML
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
(cd "$work/consumer" && dotnet build -c Release -nologo -clp:ErrorsOnly >"$work/consumer.log" 2>&1) \
  || { cat "$work/consumer.log"; echo "the consumer did not restore or build without warnings"; exit 1; }
output=$(cd "$work/consumer" && dotnet bin/Release/net10.0/Consumer.dll)
[ "$output" = "v" ] || { echo "the consumer printed '$output'"; exit 1; }
echo "package check passed ($version)"
