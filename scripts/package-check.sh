#!/usr/bin/env bash
# Packs every library to a local feed (with a unique pre-release version, so no cached copy is used) and restores and
# builds a consumer project that pins Microsoft.Extensions.Logging.Abstractions 10.0.0, with warnings as errors: a
# NU1605 downgrade, a missing README or a missing symbols package fails it. It also checks the ReadyToRun images in the
# SlateDB package (one per runtime, each for its platform) and, on linux-x64, that the consumer loads and runs the
# linux-x64 image. Prints "package check passed" at the end.
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
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using SlateDB;
using SlateDB.Storage;

await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore());
await db.PutAsync("k", "v");
Console.WriteLine(await db.GetAsync("k"));

// Which SlateDB.dll the host loaded (a portable app: chosen by the deps.json runtimeTargets for this platform), and
// what every ReadyToRun image the package copied beside it was compiled for (PE machine: architecture XOR an OS tag).
static string Describe(string path)
{
    using var pe = new PEReader(File.OpenRead(path));
    var r2r = pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    return $"{(r2r ? "R2R" : "IL")} 0x{(ushort)pe.PEHeaders.CoffHeader.Machine:X4}";
}

var loaded = typeof(SlateDb).Assembly.Location;
Console.WriteLine($"loaded {RuntimeInformation.RuntimeIdentifier} {Path.GetRelativePath(AppContext.BaseDirectory, loaded)} {Describe(loaded)}");
foreach (var image in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "runtimes"), "SlateDB.dll", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
{
    Console.WriteLine($"shipped {Path.GetRelativePath(AppContext.BaseDirectory, image)} {Describe(image)}");
}

// Methods the JIT compiled in this process: far fewer when the runtime uses the image's native code.
Console.WriteLine($"jitted {System.Runtime.JitInfo.GetCompiledMethodCount()}");
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
[ "$(head -n 1 <<<"$output")" = "v" ] || { echo "the consumer printed '$output'"; exit 1; }

# ReadyToRun (docs/packaging.md): the package has one image per runtime, each compiled for its platform, and on
# linux-x64 the consumer loads the linux-x64 image and runs its native code (the JIT compiles far fewer methods than
# with the image's code ignored through DOTNET_ReadyToRunExcludeList).
expected_images="shipped runtimes/linux-arm64/lib/net10.0/SlateDB.dll R2R 0xD11D
shipped runtimes/linux-x64/lib/net10.0/SlateDB.dll R2R 0xFD1D
shipped runtimes/osx-arm64/lib/net10.0/SlateDB.dll R2R 0xEC20
shipped runtimes/win-x64/lib/net10.0/SlateDB.dll R2R 0x8664"
images=$(grep "^shipped " <<<"$output")
[ "$images" = "$expected_images" ] || { printf 'ReadyToRun images in the consumer:\n%s\nexpected:\n%s\n' "$images" "$expected_images"; exit 1; }
loaded=$(grep "^loaded " <<<"$output")
if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; then
  [ "$loaded" = "loaded linux-x64 runtimes/linux-x64/lib/net10.0/SlateDB.dll R2R 0xFD1D" ] \
    || { echo "the consumer loaded: $loaded (expected the linux-x64 ReadyToRun image)"; exit 1; }
  jitted=$(grep "^jitted " <<<"$output" | cut -d' ' -f2)
  jitted_without=$(cd "$work/consumer" && DOTNET_ReadyToRunExcludeList=SlateDB dotnet bin/Release/net10.0/Consumer.dll | grep "^jitted " | cut -d' ' -f2)
  [ "$jitted" -lt $((jitted_without - 100)) ] \
    || { echo "the ReadyToRun code is not used: $jitted methods jitted, $jitted_without with it ignored"; exit 1; }
  echo "ReadyToRun: $loaded; $jitted methods jitted ($jitted_without with the image's code ignored)"
else
  echo "ReadyToRun: $loaded (load check runs on linux-x64 only)"
fi
echo "package check passed ($version)"
