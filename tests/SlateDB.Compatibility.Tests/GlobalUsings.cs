global using SlateDB.Compatibility.Tests.Infrastructure;
