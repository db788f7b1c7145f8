<?php
// Page 🐘: non-ASCII text before the definitions.
class PageRenderer
{
    public function renderTitle(string $title): string
    {
        return "<h1>$title</h1>";
    }
}

function slugify_title(string $title): string
{
    return strtolower($title);
}
