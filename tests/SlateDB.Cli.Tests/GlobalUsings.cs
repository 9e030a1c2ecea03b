global using System.Text.Json;
global using SlateDB.Cli.Tests.Infrastructure;
