"""What everything builds on and that imports nothing of the project: crypto, storage, images, tokens, the refusal exception, spreadsheet cells, customs rules, transliteration."""
