using Xunit.Abstractions;
using Xunit.Sdk;

namespace SlateDB.Tests.Storage;

/// <summary>
/// A test of the shared object-store contract. It runs like <see cref="FactAttribute"/>, except in a test class marked
/// <see cref="NeedsTestServerAttribute"/> while <c>SLATEDB_SKIP_SERVER_TESTS=1</c> is set: there it is skipped.
/// </summary>
[XunitTestCaseDiscoverer("SlateDB.Tests.Storage.StoreFactDiscoverer", "SlateDB.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute
{
}

/// <summary>The <see cref="TheoryAttribute"/> form of <see cref="StoreFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("SlateDB.Tests.Storage.StoreTheoryDiscoverer", "SlateDB.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreTheoryAttribute : TheoryAttribute
{
}

/// <summary>Marks a test class whose store lives on a test server started by scripts/test.sh.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NeedsTestServerAttribute : Attribute
{
}

/// <summary>Marks a contract test that checks the refusal of a conditional put (create-if-absent, update-if-version).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChecksConditionalPutsAttribute : Attribute
{
}

/// <summary>
/// Marks a contract test class whose server ignores put preconditions: its <see cref="ChecksConditionalPutsAttribute"/>
/// tests are reported as skipped with <see cref="Reason"/> (which names where they run instead).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class IgnoresPreconditionsAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}

/// <summary>
/// Marks a contract test class that runs only when environment variable <see cref="Variable"/> is set (a real cloud
/// bucket, for example): otherwise its tests are reported as skipped with <see cref="Reason"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SkipUnlessSetAttribute(string variable, string reason) : Attribute
{
    public string Variable { get; } = variable;

    public string Reason { get; } = reason;
}

/// <summary>Discovers <see cref="StoreFactAttribute"/> tests, skipping server tests when asked to.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        StoreTestSkip.Skipped(DiagnosticMessageSink, discoveryOptions, testMethod) ?? base.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Discovers <see cref="StoreTheoryAttribute"/> tests, skipping server tests when asked to.</summary>
public sealed class StoreTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        StoreTestSkip.Skipped(DiagnosticMessageSink, discoveryOptions, testMethod) ?? base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

internal static class StoreTestSkip
{
    /// <summary>One skipped test case when the class needs a server and server tests are skipped; otherwise null.</summary>
    public static IXunitTestCase[]? Skipped(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod)
    {
        if (testMethod.TestClass.Class.GetCustomAttributes(typeof(SkipUnlessSetAttribute)).FirstOrDefault() is { } unlessSet
            && unlessSet.GetConstructorArguments().ToArray() is [string variable, string why]
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
        {
            return [new XunitSkippedDataRowTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, why)];
        }

        if (testMethod.Method.GetCustomAttributes(typeof(ChecksConditionalPutsAttribute)).Any()
            && testMethod.TestClass.Class.GetCustomAttributes(typeof(IgnoresPreconditionsAttribute)).FirstOrDefault() is { } ignores)
        {
            return [new XunitSkippedDataRowTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod,
                ignores.GetConstructorArguments().First() as string ?? "the server ignores preconditions")];
        }

        if (Cloud.TestServers.SkipReason is not { } reason || !testMethod.TestClass.Class.GetCustomAttributes(typeof(NeedsTestServerAttribute)).Any())
        {
            return null;
        }

        return [new XunitSkippedDataRowTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, reason)];
    }
}
