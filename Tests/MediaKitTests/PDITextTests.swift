import DICOMCore
import XCTest
@testable import MediaKit

/// The PDI pages' text: templates, locales, names, ages and languages.
final class PDITextTests: XCTestCase {
    func render(_ text: String, _ context: [String: PDIValue]) throws -> String {
        try PDITemplate(text, path: "test").render(context, escape: escapeXML)
    }

    func testTemplateFieldsSectionsAndEscaping() throws {
        let items: [[String: PDIValue]] = [["N": .text("a<b")], ["N": .text("c")]]
        XCTAssertEqual(try render("{{N}}|{{{N}}}", ["N": .text("x&y")]), "x&amp;y|x&y")
        XCTAssertEqual(try render("{{#L}}[{{N}}]{{/L}}", ["L": .list(items)]), "[a&lt;b][c]")
        XCTAssertEqual(try render("{{#F}}yes{{/F}}{{^F}}no{{/F}}", ["F": .flag(false)]), "no")
        XCTAssertEqual(try render("{{#T}}({{T}}){{/T}}{{^T}}none{{/T}}", ["T": .text("")]), "none")
        XCTAssertEqual(try render("{{! a comment }}{{#L}}{{OUT}}{{/L}}", ["L": .list(items), "OUT": .text("o")]), "oo", "outer fields are seen inside a list")
        // A section tag alone on its line leaves no blank line.
        XCTAssertEqual(try render("a\n{{#F}}\nb\n{{/F}}\nc\n", ["F": .flag(true)]), "a\nb\nc\n")
    }

    func testTemplateErrorsNameTheProblem() {
        for bad in ["{{MISSING}}", "{{#F}}open", "{{/F}}", "{{F"] {
            XCTAssertThrowsError(try render(bad, ["F": .flag(true)]), bad) { e in
                XCTAssertEqual((e as? MediaError)?.code, .badArgument, bad)
            }
        }
    }

    func testDatesInLocaleOrISO() throws {
        let d = DICOMDate(year: 2018, month: 1, day: 7), t = DICOMTime(hour: 11, minute: 5, second: 30)
        XCTAssertEqual(try PDILocale("en").format(d, t), "7 Jan 2018 11:05")
        XCTAssertEqual(try PDILocale("en_GB.UTF-8").format(d), "7 Jan 2018")
        XCTAssertEqual(PDILocale.iso8601.format(d, t), "2018-01-07 11:05")
        XCTAssertEqual(try PDILocale("C").identifier, nil)
        XCTAssertNotEqual(try PDILocale("de").format(d), PDILocale.iso8601.format(d))
        XCTAssertThrowsError(try PDILocale("not a locale"))
    }

    func testLocaleFromTheEnvironment() {
        XCTAssertEqual(PDILocale.fromEnvironment(["LANG": "de_CH.UTF-8"]).identifier, "de_CH")
        XCTAssertEqual(PDILocale.fromEnvironment(["LC_ALL": "", "LC_TIME": "ja_JP.UTF-8", "LANG": "en_US"]).identifier, "ja_JP")
        XCTAssertEqual(PDILocale.fromEnvironment(["LC_ALL": "C.UTF-8", "LANG": "en_US"]).identifier, nil)
        XCTAssertEqual(PDILocale.fromEnvironment([:]).identifier, nil)
    }

    func testPersonNamesFromTheirGroups() {
        let n = PDIText.name(PersonName("Furuhashi^Taichi=古橋^大地=ふるはし^たいち"))
        XCTAssertEqual(n.main, "FURUHASHI Taichi")
        XCTAssertEqual(n.others, ["古橋 大地", "ふるはし たいち"])
        XCTAssertEqual(PDIText.name(PersonName("Adams^John^Robert^Rev.^B.A. M.Div.")).main, "Rev. ADAMS John Robert, B.A. M.Div.")
        XCTAssertEqual(PDIText.name(PersonName("=山田^太郎")).main, "山田 太郎", "the ideographic group when there is no alphabetic one")
        XCTAssertEqual(PDIText.name(PersonName("")).main, "")
    }

    func testAgeSexAndLanguage() {
        let birth = DICOMDate(year: 1970, month: 6, day: 15)
        XCTAssertEqual(PDIText.age(birth: birth, at: DICOMDate(year: 2018, month: 6, day: 14)), "47 years")
        XCTAssertEqual(PDIText.age(birth: birth, at: DICOMDate(year: 1970, month: 11, day: 20)), "5 months")
        XCTAssertEqual(PDIText.age(birth: birth, at: DICOMDate(year: 1970, month: 6, day: 16)), "1 day")
        XCTAssertNil(PDIText.age(birth: birth, at: DICOMDate(year: 1960, month: 1, day: 1)))
        XCTAssertEqual(PDIText.age("045Y"), "45 years")
        XCTAssertEqual(PDIText.sex("F"), "female")
        XCTAssertEqual(PDIText.language(terms: ["", "ISO 2022 IR 87"]), "ja")
        XCTAssertEqual(PDIText.language(terms: ["ISO_IR 192"]), nil)
        XCTAssertEqual(PDIText.language(script: "ﾔﾏﾀﾞ^ﾀﾛｳ"), "ja")
        XCTAssertEqual(PDIText.language(script: "Müller"), nil)
    }
}
