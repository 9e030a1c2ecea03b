using System.Reflection;
using SlateDB.Caching;
using SlateDB.ReadPath;

namespace SlateDB.Tests.Read;

public class PointReadCodeTests
{
    [Fact]
    public void Every_method_marked_for_full_optimization_is_compiled_ahead_of_the_first_get()
    {
        const BindingFlags all = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        var marked = typeof(SlateDb).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(all))
            .Where(method => (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0)
            .Select(method => $"{method.DeclaringType!.FullName}.{method.Name}#{method.MetadataToken}")
            .ToHashSet();
        var prepared = PointReadCode.Methods()
            .Select(p => $"{(p.Type.IsGenericType ? p.Type.GetGenericTypeDefinition() : p.Type).FullName}.{p.Method.Name}#{p.Method.MetadataToken}")
            .ToHashSet();

        marked.Should().NotBeEmpty();
        prepared.Should().BeEquivalentTo(marked, "a method marked AggressiveOptimization skips the ReadyToRun image, so its first call compiles it unless the open did");
        PointReadCode.Methods().Should().Contain(p => p.Type == typeof(ClockCache<BlockCacheKey>) && p.Method.Name == "TryGet");
    }

    [Fact]
    public void Each_method_is_prepared_for_the_types_it_runs_with()
    {
        // Prepare skips a method the runtime refuses (an optimization only); here every one must be accepted, generic
        // classes with their type arguments.
        var methods = PointReadCode.Methods().ToList();

        methods.Should().HaveCountGreaterThan(15);
        foreach (var (type, method) in methods)
        {
            var prepare = () => PointReadCode.PrepareOne(type, method);
            prepare.Should().NotThrow($"{type.Name}.{method.Name}");
        }
    }
}
